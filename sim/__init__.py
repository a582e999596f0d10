"""sim: a monthly microsimulation of health-related economic inactivity in England & Wales."""

__version__ = "0.1.0"
