"""``python -m sim.calibration``: see sim/calibration/search.py."""

from sim.calibration.search import main

if __name__ == "__main__":
    main()
