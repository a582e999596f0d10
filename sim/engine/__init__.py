"""The engine: hazard tables, the month kernel and the calendar drivers.

The person-level processes it runs live in sim/processes/ (one module each); their contract
is in sim/engine/contract.py. The engine imports the core, the parameters and the registry,
never the policy, the model or anything that writes results.
"""
