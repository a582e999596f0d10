"""The person-level processes of a month, one module each, run by the month kernel
(sim/engine/kernel.py) in the order of the registry (sim/spec.py ``PROCESSES``):

demography (ageing, exit at 65, death) -> health -> work -> incapacity benefit ->
disability benefit -> programme membership.

Every process has the same contract, written down once in sim/engine/contract.py.
"""
