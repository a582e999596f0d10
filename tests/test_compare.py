"""Scenario comparison and projections reports from small real sweeps."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import compare, projections
from tests.conftest import run_sweep


@pytest.fixture(scope="module")
def scenario_sweep(tmp_path_factory):
    """baseline and announced_2025 x seeds 0, 1 at 3,000 people, 2019-2029."""
    jobs = [[f"scenario={scenario}", f"seed={seed}", "population.size=3000", "panel.size=0", "run.progress=false"]
            for scenario in ("baseline", "announced_2025") for seed in (0, 1)]
    return run_sweep(tmp_path_factory.mktemp("scenarios"), jobs)


def test_comparison_pairs_runs_and_reports_every_outcome(scenario_sweep):
    assert compare.main([str(scenario_sweep)]) == 0
    table = pd.read_csv(scenario_sweep / "comparison.csv")
    assert set(table["scenario"]) == {"announced_2025"}
    assert set(table["outcome"]) == set(compare.OUTCOMES)
    defined = table[table["outcome"] != "cost_per_additional_person_in_work_gbp"]
    assert (defined["pairs"] == 2).all(), "every outcome but cost per job (undefined without a gain) pairs both seeds"
    cost = table[table["outcome"] == "programme_cost_gbp"].iloc[0]
    assert cost["low"] > 0, "the announced programmes cost money in every pair"
    assert (scenario_sweep / "comparison.md").read_text().count("|") > 20
    assert (scenario_sweep / "charts" / "scenario_comparison.png").stat().st_size > 10_000


def test_differences_are_scenario_minus_its_own_baseline():
    summaries = pd.DataFrame({
        "scenario": ["baseline", "baseline", "x", "x"], "seed": [0, 1, 0, 1], "draw": 0, "projection": "trend",
        "employed_2028_29": [100.0, 200.0, 110.0, 230.0], "inactive_long_term_sick_2028_29": [10.0, 20.0, 9.0, 18.0],
        "inactive_2028_29": [50.0, 60.0, 45.0, 55.0], "health_benefit_recipients_2028_29": [30.0, 40.0, 29.0, 39.0],
        "spending_gbp": [1000.0, 2000.0, 900.0, 1950.0], "employed_months": [1200.0, 2400.0, 1320.0, 2760.0],
        "programme_cost_gbp": [0.0, 0.0, 500.0, 600.0], "direct_additional_job_outcomes": [0.0, 0.0, 5.0, 6.0],
        "gp_appointments": [0.0, 0.0, 7.0, 8.0], "early_return_relapses": [0.0, 0.0, 1.0, 2.0],
    })
    diffs = compare.differences(summaries, tax_per_year=10.0).sort_values("seed")
    assert diffs["additional_people_in_work_2028_29"].tolist() == [10.0, 30.0]
    assert diffs["benefit_spending_saved_gbp"].tolist() == [100.0, 50.0]
    assert diffs["cost_per_additional_person_in_work_gbp"].tolist() == [50.0, 20.0]
    assert diffs["net_exchequer_gbp"].tolist() == [100.0 + 10 * 10.0 - 500.0, 50.0 + 30 * 10.0 - 600.0]


def test_compare_refuses_a_sweep_without_baseline(tmp_path, capsys):
    assert compare.main([str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err


def test_projections_report(scenario_sweep):
    assert projections.main([str(scenario_sweep)]) == 0
    table = pd.read_csv(scenario_sweep / "projections.csv")
    assert set(table["year"]) == {"2019-20", "2023-24", "2028-29"}
    assert (table["low"] <= table["median"]).all() and (table["median"] <= table["high"]).all()
    assert (scenario_sweep / "charts" / "projections.png").stat().st_size > 10_000
