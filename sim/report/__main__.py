"""``python -m sim.report DIR``: see sim/report/cli.py."""

import sys

from sim.report.cli import main

if __name__ == "__main__":
    sys.exit(main())
