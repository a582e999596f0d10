"""Documentation and data provenance stay honest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.config import DATA_DIR, load
from sim.docs import OUTPUT, render

REPO = Path(__file__).resolve().parent.parent


def test_parameter_page_is_up_to_date():
    assert OUTPUT.read_text() == render(), "run `python -m sim.docs` and commit docs/parameters.md"


def test_every_data_file_has_a_source_on_every_row():
    for path in [*DATA_DIR.glob("*.csv"), *(REPO / "docs" / "calibration").glob("*.csv")]:
        table = pd.read_csv(path, keep_default_na=False)
        assert "source" in table.columns, path.name
        assert (table["source"].str.len() > 10).all(), path.name


def test_every_hazard_states_its_source():
    config = load([])
    for process in (config.health, config.work, config.incapacity_benefit, config.disability_benefit):
        for name, hazard in process.transitions.items():
            text = hazard.source.lower()
            assert any(word in text for word in ("assumption", "ons", "dwp", "ifs", "derived", "nhs", "ohid",
                                                  "hse", "apms", "obr", "hansard", "pq ")), name


def test_readme_starts_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    first_block = "\n".join(lines[:6])
    assert "make run" in first_block and "make test" in first_block
