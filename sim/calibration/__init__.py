"""Calibration: targets from published figures, the Optuna search, the model runner the
search and the decomposition share, the fit report and the Shapley decomposition.
``python -m sim.calibration`` (``make calibrate``) runs it."""
