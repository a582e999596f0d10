"""Reports of a run or sweep: data (loading, financial-year summaries through the registry),
style, drawing helpers, published points, one module per chart (sim/report/charts/) and the
command line (``python -m sim.report DIR``, sim/report/cli.py)."""
