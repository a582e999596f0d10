"""The model's accounting, reproducibility, common random numbers and outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core import states
from sim.spending import SpendingRates
from tests.conftest import SMALL, run_model, totals


def test_population_accounted_for_every_month(small_metrics):
    table = totals(small_metrics)
    change = table["population"].diff().iloc[1:]
    explained = (table["entrants_at_16"] + table["immigrants"] - table["deaths"]
                 - table["exits_at_65"] - table["emigrants"]).iloc[1:]
    assert np.allclose(change, explained, rtol=0, atol=1e-3)
    assert (table["entrants_at_16"] > 0).all() and (table["deaths"] > 0).all()


def test_population_follows_published_path(small_model, small_metrics):
    population = totals(small_metrics)["population"].to_numpy()
    path = small_model.path
    # Immigrants are whole agents, so each month lands within one agent's weight of the path.
    assert np.all(np.abs(population - path) <= small_model.weight + 1e-6)
    assert population[-1] == pytest.approx(37_502_987, rel=0.001)  # Census 2021, March 2021


def test_work_states_partition_the_population(small_metrics):
    table = totals(small_metrics)
    parts = table[["employed", "unemployed", "inactive_long_term_sick", "inactive_other"]].sum(axis=1)
    assert np.allclose(parts, table["population"])
    either = table["incapacity_benefit_recipients"] + table["disability_benefit_recipients"] \
        - table["health_benefit_recipients_both"]
    assert np.allclose(either, table["health_benefit_recipients"])
    overlap = table["incapacity_benefit_lcwra_with_disability_benefit"]
    assert (overlap <= np.minimum(table["incapacity_benefit_lcwra"], table["health_benefit_recipients_both"]) + 1e-6).all()
    assert (overlap > 0).all(), "some LCWRA recipients have PIP in every month"


def test_same_seed_same_metrics_different_seed_differs(small_metrics):
    again = run_model(SMALL + ["panel.size=0"]).metrics_table()
    pd.testing.assert_frame_equal(small_metrics, again)
    other = run_model(SMALL + ["panel.size=0", "seed=1"]).metrics_table()
    assert not np.allclose(small_metrics["value"], other["value"])


def test_thread_count_does_not_change_results():
    import numba

    numba.set_num_threads(1)
    one = run_model(["population.size=5000", "panel.size=0", "period.end=2019-12"]).metrics_table()
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    many = run_model(["population.size=5000", "panel.size=0", "period.end=2019-12"]).metrics_table()
    pd.testing.assert_frame_equal(one, many)


def test_processes_draw_from_their_own_streams():
    """Changing incapacity-benefit hazards must leave health and demography untouched."""
    base = ["population.size=10000", "panel.size=0", "period.end=2020-09"]
    default = totals(run_model(base).metrics_table())
    changed = totals(run_model(base + ["incapacity_benefit.transitions.claim.base=0.2"]).metrics_table())
    assert not np.allclose(default["incapacity_benefit_recipients"], changed["incapacity_benefit_recipients"])
    for untouched in ("mental_health_condition", "musculoskeletal_condition", "limiting_condition",
                      "deaths", "population"):
        assert np.array_equal(default[untouched], changed[untouched]), untouched


def test_metrics_contract(small_metrics):
    table = small_metrics
    assert list(table.columns) == ["month", "scenario", "seed", "area", "age_band", "programme", "metric", "value"]
    assert set(table["programme"]) == {"all"}, "a baseline run has no programme rows"
    assert table["month"].dtype == "datetime64[ns]"
    assert (table["month"].dt.day == 1).all()
    assert table["value"].dtype == np.float64 and np.isfinite(table["value"]).all()
    assert table["seed"].dtype == np.int64
    required = {
        "population", "employed", "unemployed", "inactive_long_term_sick", "inactive_other",
        "incapacity_benefit_recipients", "incapacity_benefit_awaiting_assessment",
        "incapacity_benefit_lcw", "incapacity_benefit_lcwra", "disability_benefit_recipients",
        "disability_benefit_enhanced", "health_benefit_recipients", "incapacity_benefit_starts",
        "disability_benefit_starts", "health_benefit_spending_gbp", "intervention_participants",
        "intervention_cost_gbp", "additional_job_outcomes", "gp_appointments", "early_return_relapses",
    }
    assert required <= set(table["metric"])
    months = table["month"].nunique()
    for metric, rows in table.groupby("metric"):
        by_area = rows[rows["age_band"] == "all"]
        assert set(by_area["area"]) == set(states.AREAS) | {"all"}, metric
        by_band = rows[rows["area"] == "all"]
        assert set(by_band["age_band"]) == set(states.AGE_BANDS) | {"all"}, metric
        assert len(rows) == months * (len(states.AREAS) + len(states.AGE_BANDS) + 1), metric
    month = table[table["month"] == table["month"].max()]
    for metric in ("population", "health_benefit_recipients", "health_benefit_spending_gbp"):
        rows = month[month["metric"] == metric]
        total = rows[(rows["area"] == "all") & (rows["age_band"] == "all")]["value"].item()
        assert rows[(rows["area"] != "all")]["value"].sum() == pytest.approx(total)
        assert rows[(rows["age_band"] != "all")]["value"].sum() == pytest.approx(total)


def test_spending_is_caseload_times_rates(small_model, small_metrics):
    table = totals(small_metrics).iloc[-1]
    config = small_model.config
    rates = SpendingRates.from_config(config.spending, config.policy, config.period.start, small_model.months,
                                      config.calibration.spending_scale)
    last = small_model.months - 1
    expected = (table["incapacity_benefit_awaiting_assessment"] * rates.incapacity_awaiting_assessment[last]
                + table["incapacity_benefit_lcw"] * rates.incapacity_lcw[last]
                + table["incapacity_benefit_lcwra"] * rates.incapacity_lcwra["existing_claims"][last]
                + table["disability_benefit_standard"] * rates.disability_standard[last]
                + table["disability_benefit_enhanced"] * rates.disability_enhanced[last])
    assert table["health_benefit_spending_gbp"] == pytest.approx(expected)
    # UC standard allowance (25+) + LCWRA element, 2024-25 (CPAG): £393.45 + £416.19 a month,
    # the same in real terms in every month and for every claim cohort under pre_2025
    unscaled = SpendingRates.from_config(config.spending, config.policy, config.period.start, small_model.months)
    for group in states.CLAIM_GROUPS:
        assert unscaled.incapacity_lcwra[group] == pytest.approx(np.full(small_model.months, 809.64))


def test_april_2019_levels_are_plausible(small_metrics):
    """Starting levels near the published 2019 figures in England & Wales terms."""
    first = totals(small_metrics).iloc[0]
    assert first["health_benefit_recipients"] == pytest.approx(2.8e6, rel=0.06)
    assert first["incapacity_benefit_recipients"] == pytest.approx(2.5e6 * 0.9137, rel=0.06)
    assert first["disability_benefit_recipients"] == pytest.approx(2.2e6 * 0.9137, rel=0.06)
    assert first["inactive_long_term_sick"] / first["population"] == pytest.approx(0.049, abs=0.004)
    assert first["employed"] / first["population"] == pytest.approx(0.760, abs=0.01)


def test_panel_follows_people(small_model):
    panel = small_model.panel_table()
    assert {"month", "person_id", "slot", "age_months", "work_state", "incapacity_benefit"} <= set(panel.columns)
    assert set(panel["work_state"].cat.categories) == set(states.WORK_STATES)
    ages = panel.sort_values("month").groupby("person_id")["age_months"]
    assert (ages.diff().dropna() == 1).all(), "each panel person ages one month a month"
    per_month = panel.groupby("month")["person_id"].nunique()
    assert per_month.min() > 250 and per_month.max() <= 300
    first = panel[panel["month"] == panel["month"].min()]
    assert len(first) == 300


def test_flows_are_counted_where_they_happen(small_metrics):
    table = totals(small_metrics)
    assert (table["incapacity_benefit_starts"].iloc[1:] > 0).all()
    assert (table["left_work_for_health"].iloc[1:] > 0).all()
    annual_awards = table["incapacity_benefit_awards"].iloc[:12].sum()
    assert 100_000 < annual_awards < 400_000  # OBR: 252,000 GB in 2018-19


def test_incapacity_benefit_recipients_into_work_counts_only_assessed_recipients_starting_work(small_metrics):
    table = totals(small_metrics)
    into_work = table["incapacity_benefit_recipients_into_work"].iloc[1:]
    assessed = (table["incapacity_benefit_lcw"] + table["incapacity_benefit_lcwra"]).iloc[1:]
    assert into_work.sum() > 0
    assert (into_work / assessed).mean() < 0.01  # DWP 2025: fewer than 1 in 100 a month
    closed = ["population.size=5000", "panel.size=0", "period.end=2019-12",
              *(f"work.transitions.{source}_to_employed.base=0.0"
                for source in ("unemployed", "long_term_sick", "inactive_other"))]
    assert totals(run_model(closed).metrics_table())["incapacity_benefit_recipients_into_work"].sum() == 0


def test_pip_reviews_end_awards_at_the_review_row_rate_and_deferral_extends_awards():
    """The review_disallowed row sets the share of reviews that end an award (21% by
    default; base 0 ends none). The review_deferred row (and the pip_reviews driver on it)
    postpones reviews by review.deferral_months without changing the share that end awards."""
    small = ["population.size=15000", "panel.size=0", "period.end=2023-03", "drivers.pip_reviews.enabled=true"]

    def reviews(*overrides: str, since: str = "2019-04") -> pd.Series:
        table = totals(run_model([*small, *overrides]).metrics_table()).loc[since:]
        return table[["disability_benefit_reviews", "disability_benefit_review_disallowed",
                      "disability_benefit_reviews_deferred"]].sum()

    none_deferred = reviews("drivers.pip_reviews.effect=0.0", "disability_benefit.transitions.review_deferred.base=0.0")
    assert none_deferred["disability_benefit_reviews_deferred"] == 0
    assert 0.17 < none_deferred["disability_benefit_review_disallowed"] / none_deferred["disability_benefit_reviews"] < 0.26
    assert reviews("disability_benefit.transitions.review_disallowed.base=0.0")["disability_benefit_review_disallowed"] == 0
    half = reviews("drivers.pip_reviews.effect=0.0", "disability_benefit.transitions.review_deferred.base=0.5")
    assert half["disability_benefit_reviews"] < 0.75 * none_deferred["disability_benefit_reviews"]
    assert 0.17 < half["disability_benefit_review_disallowed"] / half["disability_benefit_reviews"] < 0.26
    # due reviews = held + deferred; about half of those due are deferred
    assert 0.4 < half["disability_benefit_reviews_deferred"] / (
        half["disability_benefit_reviews_deferred"] + half["disability_benefit_reviews"]) < 0.6
    ramped = reviews("drivers.pip_reviews.effect=3.0", "disability_benefit.transitions.review_deferred.base=0.2",
                     since="2022-04")
    flat = reviews("drivers.pip_reviews.effect=0.0", "disability_benefit.transitions.review_deferred.base=0.2",
                   since="2022-04")
    assert ramped["disability_benefit_reviews"] < 0.9 * flat["disability_benefit_reviews"]


def test_people_turning_16_enter_with_the_configured_pip_share():
    """The expected PIP share of a batch turning 16 is the configured share whatever the
    synthesis gave them; those given PIP have a limiting condition and a fresh award."""
    from sim.config import load
    from sim.population import StartingTables, give_entrants_disability_benefit, synthesise

    tables = StartingTables(load(["population.size=5000", "panel.size=0"]))
    for share in (0.0, 0.01, 0.03, 0.12):
        rng = np.random.default_rng(7)
        people = synthesise(rng, tables, 200_000, month=5, ages=(states.ENTRY_AGE_MONTHS, states.ENTRY_AGE_MONTHS))
        synthesised = people["disability_benefit"] >= states.DB_STANDARD
        give_entrants_disability_benefit(rng, tables, people, share, month=5)
        on_pip = people["disability_benefit"] >= states.DB_STANDARD
        assert on_pip.mean() == pytest.approx(share, abs=0.0015)
        gained = on_pip & ~synthesised
        assert (people["limiting"][gained] == 1).all()
        assert (people["months_in_disability_state"][gained] == 0).all()
        assert (people["award_end_month"][~on_pip & (people["disability_benefit"] == states.DB_NONE)]
                == states.NO_AWARD_END).all()
    tiny = synthesise(np.random.default_rng(3), tables, 30, month=5,
                      ages=(states.ENTRY_AGE_MONTHS, states.ENTRY_AGE_MONTHS))
    tiny["disability_benefit"][:] = states.DB_NONE
    counts = []
    for seed in range(400):
        batch = {key: value.copy() for key, value in tiny.items()}
        give_entrants_disability_benefit(np.random.default_rng(seed), tables, batch, 0.05, month=5)
        counts.append((batch["disability_benefit"] >= states.DB_STANDARD).sum())
    assert np.mean(counts) == pytest.approx(1.5, rel=0.15), "a batch with no synthesised award still gains"


def test_incapacity_recipients_in_work_are_on_benefit_and_employed(small_metrics):
    table = totals(small_metrics)
    in_work = table["incapacity_benefit_recipients_in_work"]
    assert (in_work > 0).all()
    assert (in_work <= table["incapacity_benefit_recipients"]).all()
    assert (in_work <= table["employed"]).all()
