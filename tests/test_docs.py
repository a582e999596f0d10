"""Documentation and data provenance stay honest."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim import spec
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


PUBLISHERS = re.compile(r"\b(ONS|DWP|IFS|OBR|NHS|OHID|HSE|APMS|NatCen|Hansard|PQ \d+|Census 2021|GBW White Paper|"
                        r"Curnock et al\.|Waddell & Burton|Amiri & Behnezhad|IPPR|Keep Britain Working)\b")


def test_every_hazard_states_its_source():
    """A source names a publisher or study, or says ``assumption``."""
    config = load([])
    for process in spec.HAZARD_PROCESSES:
        for name, hazard in config.process_config(process).transitions.items():
            assert "assumption" in hazard.source or PUBLISHERS.search(hazard.source), f"{process}.{name}"


def test_readme_starts_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    first_block = "\n".join(lines[:6])
    assert "make run" in first_block and "make test" in first_block
