"""Policy: intervention programmes (referral, places, costs) and the hazard ratios they
apply, reaching the month kernel through the registry's named transitions (sim/spec.py)."""
