"""Parameters: the typed schema of a run's configuration, its validation, the data files it
names, and composing it with Hydra (sim/params/compose.py is the one module that knows
OmegaConf). ``sim.config`` is the short public entry point (load, compose, validate)."""
