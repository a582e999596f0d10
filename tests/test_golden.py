"""A fresh run of the golden cases reproduces tests/golden/baseline.csv (see tests/golden_baseline.py)."""

from __future__ import annotations

from tests.golden_baseline import CASES, SEEDS, differences, golden_table, read_golden


def test_golden_baseline_unchanged():
    golden = read_golden()
    assert set(golden["case"]) == set(CASES) and set(golden["seed"]) == set(SEEDS)
    moved = differences(golden_table(), golden)
    shown = "\n".join(moved[:40])
    assert not moved, (f"{len(moved)} golden values moved; a refactor must leave them unchanged, a deliberate "
                       f"model change refreshes them with `make update-baseline`:\n{shown}")


def test_golden_cases_exercise_the_programmes():
    """The early case has programme activity, so the golden file pins the programme path."""
    golden = read_golden()
    early = golden[(golden["case"] == "announced_2025_early") & (golden["programme"] != "all")]
    months = [column for column in golden.columns if column[:2] == "20"]
    participants = early[early["metric"] == "intervention_participants"][months].to_numpy().sum()
    referrals = early[early["metric"] == "intervention_referrals"][months].to_numpy().sum()
    assert participants > 0 and referrals > participants
    baseline = golden[golden["case"] == "baseline"].set_index(["seed", "programme", "metric"])[months]
    early_all = golden[golden["case"] == "announced_2025_early"].set_index(["seed", "programme", "metric"])[months]
    for metric in ("mental_health_condition",):
        assert (early_all.loc[(0, "all", metric)] != baseline.loc[(0, "all", metric)]).any(), metric
