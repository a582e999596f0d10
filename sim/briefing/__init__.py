"""The briefing: one self-contained HTML page (and a PDF) for people who write briefings,
built from a sweep of the baseline and the programme scenarios (``python -m sim.briefing``)."""
