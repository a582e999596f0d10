"""Scenario comparison, sensitivity and projections reports from small real sweeps."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import compare, projections, sensitivity
from tests.conftest import run_sweep

SMALL = ["population.size=3000", "panel.size=0", "run.progress=false"]


@pytest.fixture(scope="module")
def scenario_sweep(tmp_path_factory):
    """baseline and announced_2025 x seeds 0, 1 at 3,000 people, 2019-2029."""
    jobs = [[f"scenario={scenario}", f"seed={seed}", *SMALL]
            for scenario in ("baseline", "announced_2025") for seed in (0, 1)]
    return run_sweep(tmp_path_factory.mktemp("scenarios"), jobs)


def test_comparison_pairs_runs_and_reports_every_outcome(scenario_sweep):
    assert compare.main([str(scenario_sweep)]) == 0
    table = pd.read_csv(scenario_sweep / "comparison.csv")
    assert set(table["scenario"]) == {"announced_2025"}
    ratios = {"cost_per_additional_job_year_gbp", "benefit_cost_ratio"}
    assert set(compare.OUTCOMES) - ratios <= set(table["outcome"])
    defined = table[~table["outcome"].isin(ratios)]
    assert (defined["pairs"] == 2).all(), "every outcome but the ratios (undefined without a gain) pairs both seeds"
    cost = table[table["outcome"] == "programme_cost_gbp"].iloc[0]
    assert cost["low"] > 0, "the announced programmes cost money in every pair"
    pairs = pd.read_csv(scenario_sweep / "comparison_pairs.csv")
    parts = pairs["exchequer_tax_nics_gbp"] + pairs["benefit_spending_saved_gbp"] - pairs["programme_cost_gbp"] \
        - pairs["pv_gp_cost_gbp"]
    assert (parts - pairs["net_exchequer_npv_gbp"]).abs().max() < 1.0, "the net figure is the sum of its parts"
    monthly = pd.read_csv(scenario_sweep / "additional_employment_by_month.csv")
    assert len(monthly) == 2 * 120
    assert monthly[monthly["month"] < "2024-04"]["additional_people_in_work"].abs().max() == 0, \
        "before any programme starts the paired runs are identical"
    text = (scenario_sweep / "comparison.md").read_text()
    assert "What each outcome means" in text and "Against published evaluations" in text
    assert (scenario_sweep / "benchmarks.csv").stat().st_size > 100
    assert (scenario_sweep / "charts" / "scenario_comparison.png").stat().st_size > 10_000
    assert (scenario_sweep / "charts" / "additional_employment.png").stat().st_size > 10_000


def test_sensitivity_sweep_draws_a_tornado(tmp_path):
    cases = ("central", "displacement_high", "persistence_low")
    # IPS at a scale 3,000 agents resolve (each stands for about 12,000 people)
    large = ["interventions.ips_expansion.capacity_per_month=60000",
             "interventions.ips_expansion.referral_probability=0.2"]
    jobs = [[f"scenario={scenario}", "seed=0", f"sensitivity={case}", *SMALL,
             *(large if scenario == "announced_2025" else [])]
            for scenario in ("baseline", "announced_2025") for case in cases]
    sweep = run_sweep(tmp_path / "sensitivity", jobs)
    assert sensitivity.main([str(sweep)]) == 0
    table = pd.read_csv(sweep / "sensitivity.csv")
    npv = table[table["measure"] == "net_exchequer_npv_gbp"].set_index("case")["change_from_central"]
    assert npv["central"] == 0
    assert npv["displacement_high"] < 0, "displacing 30% of the jobs lowers the tax they bring"
    assert npv["persistence_low"] < 0, "less employment carried past March 2029 lowers the NPV"
    assert (sweep / "charts" / "sensitivity_tornado.png").stat().st_size > 10_000


def test_compare_refuses_a_sweep_without_baseline(tmp_path, capsys):
    assert compare.main([str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err


def test_projections_report(scenario_sweep):
    assert projections.main([str(scenario_sweep)]) == 0
    table = pd.read_csv(scenario_sweep / "projections.csv")
    assert set(table["year"]) == {"2019-20", "2023-24", "2028-29"}
    assert (table["low"] <= table["median"]).all() and (table["median"] <= table["high"]).all()
    assert (scenario_sweep / "charts" / "projections.png").stat().st_size > 10_000
