"""The trustworthy baseline: targets by age band, award durations, the accepted posterior and
the aligned projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.calibration import targets, waves
from sim.config import load
from sim.core import states
from sim.engine import drivers
from sim.model import InactivityModel
from sim.population import award_duration_cdfs, stationary_duration_cdf


def _evaluation(z: float, wave: int = 1, log_weight: float = 0.0, value: float = 0.5) -> waves.Evaluation:
    return waves.Evaluation(values={"a": value}, z={"t": z}, loss=z * z, implausibility=abs(z), wave=wave,
                            origin=f"wave {wave} point {value}", log_weight=log_weight)


def test_posterior_keeps_only_accepted_sets_of_the_last_wave_lowest_loss_first():
    last = [_evaluation(z, value=i / 10) for i, z in enumerate([0.5, 2.9, 3.1, 7.0, -1.0, 0.1])]
    result = waves.posterior(last, last, cut=3.0, kept=10, seed=0)
    assert {d.implausibility for d in result.draws} == {0.5, 2.9, 1.0, 0.1}
    assert result.draws[0].loss == min(d.loss for d in result.draws)
    assert result.accepted == 4 and "|z| <= 3" in result.rule


def test_importance_weights_decide_which_accepted_sets_are_drawn():
    heavy = _evaluation(0.2, log_weight=0.0, value=0.1)
    light = [_evaluation(0.3, log_weight=-40.0, value=0.2 + i / 100) for i in range(5)]
    result = waves.posterior([heavy, *light], [heavy, *light], cut=3.0, kept=1, seed=1)
    assert result.draws == [heavy]
    assert result.effective_sample_size == pytest.approx(1.0, abs=1e-6)


def test_without_an_accepted_set_the_report_says_so():
    last = [_evaluation(z) for z in (4.0, 5.0)]
    result = waves.posterior(last, last, cut=3.0, kept=5, seed=0)
    assert result.accepted == 0 and result.rule.startswith("NO evaluated set")


def test_a_wave_proposal_stays_in_the_prior_box_and_centres_on_the_accepted_sets():
    space = {"a": (0.0, 10.0), "b": (-1.0, 1.0)}
    rng = np.random.default_rng(0)
    accepted = [waves.Evaluation({"a": 7 + rng.normal(0, 0.3), "b": rng.normal(0, 0.1)}, {"t": 0.0}, 0.0, 0.5, 0, "x")
                for _ in range(30)]
    mean, covariance, fitted_to = waves.proposal(accepted, space, cut=3.0, inflation=2.0)
    assert fitted_to == 30 and mean[0] == pytest.approx(0.7, abs=0.03)
    points, log_density = waves.draw_points(mean, covariance, 200, seed=3)
    assert points.shape == (200, 2) and ((points >= 0) & (points <= 1)).all() and np.isfinite(log_density).all()


def test_a_target_reads_its_age_bands_and_a_snapshot():
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    totals = pd.DataFrame({"employed@16-24": [50.0, 50.0, 50.0], "population@16-24": [100.0, 100.0, 100.0],
                           "employed": [900.0] * 3, "population": [1000.0] * 3,
                           "incapacity_benefit_over_10_years_share": [np.nan, 0.3, np.nan]}, index=months)
    young = targets.Target(figure="ons_employment_rate_16_24_2024", metric="employed", denominator=("population",),
                           kind="share", age_bands=("16-24",), window=("2024-01", "2024-03"), uncertainty=0.01)
    assert targets.model_value(young, totals) == pytest.approx(0.5)
    assert targets.model_value(young.model_copy(update={"age_bands": ()}), totals) == pytest.approx(0.9)
    snapshot = targets.Target(figure="dwp_incapacity_over_10_years_share_2024_25", kind="share",
                              metric="incapacity_benefit_over_10_years_share", window=("2024-01", "2024-03"),
                              uncertainty=0.04)
    assert targets.model_value(snapshot, totals) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="scale_source"):
        targets.Target.model_validate(young.model_dump() | {"scale": 0.9})


def test_stationary_durations_agree_with_the_exit_hazard():
    constant = stationary_duration_cdf(np.full(2000, 0.01))
    assert constant[99] == pytest.approx(1 - np.exp(-1.0), abs=0.01), "exponential stock for a constant hazard"
    falling = stationary_duration_cdf(np.concatenate([np.full(12, 0.05), np.full(1988, 0.005)]))
    assert falling[11] < 1 - np.exp(-0.6) and falling[119] < constant[119], "slower exits: a longer-lived stock"
    config = load(["population.size=2000"])
    cdfs = award_duration_cdfs(config.incapacity_benefit)
    assert set(cdfs) == {states.IB_LCW, states.IB_LCWRA}
    assert cdfs[states.IB_LCWRA][119] < cdfs[states.IB_LCW][119], "LCWRA recipients stay longer than LCW"


def test_aligned_projection_multiplies_claims_in_its_financial_years_only():
    config = load(["population.size=2000", "panel.size=0", "projection=aligned"])
    projection = config.projection.model_copy(update={
        "alignment": {"incapacity_benefit.claim": {"2026-27": 1.5}}, "alignment_source": "a test of the alignment"})
    plain = InactivityModel(config.model_copy(update={"projection": config.projection.model_copy(update={"alignment": {}})}))
    aligned = InactivityModel(config.model_copy(update={"projection": projection}))
    from sim import spec

    row = spec.transition("incapacity_benefit.claim").row
    ratio = aligned.hazards["incapacity_benefit"].period[row] / plain.hazards["incapacity_benefit"].period[row]
    months = pd.date_range("2019-04-01", periods=ratio.shape[0], freq="MS")
    inside = (months >= "2026-04-01") & (months <= "2027-03-01")
    assert np.allclose(ratio[inside], 1.5) and np.allclose(ratio[~inside], 1.0)
    flat = drivers.shape(config.drivers["mental_health_incidence"], "2019-04", 120,
                         config.projection.model_copy(update={"mode": "flatten"}))
    same = drivers.shape(config.drivers["mental_health_incidence"], "2019-04", 120, config.projection)
    assert np.array_equal(flat, same), "aligned holds the drivers as flatten does"


def test_official_path_grows_as_published():
    from sim import alignment

    growth = alignment.official_growth()
    assert growth["incapacity_benefit_recipients"]["2024-25"] == pytest.approx(0.070 / 0.06775)
    assert growth["incapacity_benefit_recipients"]["2028-29"] == pytest.approx(0.079 / 0.06775)
    assert growth["disability_benefit_recipients"]["2024-25"] == pytest.approx((4.3 / 3.2) ** (1 / 6))
    assert growth["disability_benefit_recipients"]["2028-29"] == pytest.approx((4.3 / 3.2) ** (5 / 6))
    jump_off = pd.Series({"incapacity_benefit_recipients": 200.0, "disability_benefit_recipients": 100.0})
    population_ratio = pd.Series({year: 1.0 + 0.01 * (index + 1) for index, year in enumerate(alignment.YEARS)})
    ends, means = alignment.official_path(jump_off, population_ratio, growth)
    pip, incapacity = growth["disability_benefit_recipients"], growth["incapacity_benefit_recipients"]
    assert ends.loc["2024-25", "disability_benefit_recipients"] == pytest.approx(100 * pip["2024-25"])
    assert ends.loc["2028-29", "incapacity_benefit_recipients"] == pytest.approx(200 * incapacity["2028-29"] * 1.05)
    assert means.loc["2024-25", "disability_benefit_recipients"] == pytest.approx(np.sqrt(100 * 100 * pip["2024-25"]))
    assert means.loc["2026-27", "disability_benefit_recipients"] == pytest.approx(
        100 * np.sqrt(pip["2025-26"] * pip["2026-27"]))


def test_alignment_runs_the_calibrated_draw(monkeypatch):
    from sim import alignment

    seen = {}

    def fake_run_totals(config, values, seeds, size, end=None):
        seen.update(values=values, projection=config["projection"])
        months = pd.date_range("2019-04-01", periods=2, freq="MS")
        return pd.DataFrame({column: [1.0, 1.0] for column in (*alignment.ALIGNED.values(), "population")}, index=months)

    monkeypatch.setattr(alignment, "run_totals", fake_run_totals)
    raw = {"calibration": {"draw": 1, "draws": [{"a": 0.0}, {"a": 2.0}]}, "projection": {"mode": "aligned"}}
    alignment._run(raw, np.ones((2, len(alignment.YEARS))), 1000, 0)
    assert seen["values"] == {"a": 2.0}, "the alignment is solved on the configured calibration draw"
    assert seen["projection"]["alignment"]["incapacity_benefit.claim"]["2024-25"] == 1.0


def test_the_moves_start_from_every_accepted_set_and_keep_equal_weights():
    seen = {}

    def mover(starts):
        seen["starts"] = [e.origin for e in starts]
        return starts, waves.Moves(steps=1, chains=len(starts), proposed=len(starts), taken=0, outside_box=0,
                                   moved_chains=0)

    earlier = [_evaluation(0.5, wave=1, value=0.1), _evaluation(5.0, wave=1)]
    last = [_evaluation(1.0, wave=2, log_weight=50.0), _evaluation(2.0, wave=2), _evaluation(4.0, wave=2)]
    for index, evaluation in enumerate([*earlier, *last]):
        object.__setattr__(evaluation, "origin", f"point {index}")
    result = waves.posterior(last, [*earlier, *last], cut=3.0, kept=3, seed=0, mover=mover)
    assert seen["starts"] == ["point 0", "point 2", "point 3"], "accepted sets of every wave, in order"
    assert len(result.draws) == 3 and result.accepted == 2
    assert "3 in all" in result.rule and "equal weight" in result.rule
