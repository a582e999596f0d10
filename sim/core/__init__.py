"""The core: what a state code means, the person record, the calendar and random streams.

Nothing here imports anything else from ``sim``; every other layer builds on it.
"""
