import sys

from sim.briefing.cli import main

sys.exit(main())
