"""Calibration end to end on a tiny budget; drivers; the Shapley decomposition."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibration import targets
from sim.calibration.decomposition import shapley
from sim.config import compose, load
from sim.engine import drivers
from tests.conftest import REPO


TINY = ["calibrate.trials=6", "calibrate.seeds=[0]", "calibrate.population_size=3000", "calibrate.check_seeds=[0]",
        "calibrate.decompose=false", "calibrate.draws_kept=3", "calibrate.waves=1", "calibrate.wave_points=4",
        "calibrate.final_wave_points=null", "population.size=3000"]


STUDY = yaml.safe_load((REPO / "configs" / "calibrate.yaml").read_text())["calibrate"]["study_name"]


def _tiny_settings(out):
    fitted = out / "fitted.yaml"
    return fitted, [*TINY, f"calibrate.output_dir={out}", f"calibrate.fitted_config={fitted}",
                    f"calibrate.publish_dir={out / 'published'}"]


@pytest.fixture(scope="module")
def tiny_calibration(tmp_path_factory):
    """``make calibrate`` on a tiny budget, in this process (one worker)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from sim.calibration import search
    from sim.config import CONFIG_DIR

    out = tmp_path_factory.mktemp("calibration")
    fitted, overrides = _tiny_settings(out)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        config = hydra_compose(config_name="calibrate", overrides=[*overrides, "calibrate.workers=1"])
    assert search.run(config) == 0
    return out, fitted


@pytest.mark.slow
def test_two_workers_share_a_study_and_a_rerun_does_not_redo_trials(tmp_path):
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    fitted, overrides = _tiny_settings(tmp_path)
    command = [sys.executable, "-m", "sim.calibration", "calibrate.workers=2", *overrides]
    for _ in range(2):
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]
    storage = JournalStorage(JournalFileBackend(str(tmp_path / "study.journal")))
    study = optuna.load_study(study_name=STUDY, storage=storage)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert 6 <= len(complete) <= 7  # two workers may each finish a trial as the budget is reached
    assert "trials already complete" in result.stdout


def test_calibration_writes_its_report(tiny_calibration):
    out, fitted = tiny_calibration
    for name in ("fit_table.csv", "check_table.csv", "posterior.csv", "draws.csv", "evaluations.csv",
                 "fit_report.md", "fit_report.png", "study.journal"):
        assert (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "fit_table.csv")
    calibrate = yaml.safe_load((REPO / "configs" / "calibrate.yaml").read_text())
    assert table["figure"].tolist() == [target["figure"] for target in calibrate["targets"]]
    error = np.where(table["bound"] == "upper", table["error"].clip(lower=0), table["error"])
    assert np.allclose(table["z"], error / table["uncertainty"]), "z is the error in units of the uncertainty"
    assert (table["plausible"] == (table["z"].abs() <= 3)).all() and (table["within_one_sd"] == (table["z"].abs() <= 1)).all()
    draws = pd.read_csv(out / "draws.csv")
    assert (draws["draw"] == [0, 1, 2]).all() and draws["source"].str.startswith("model output").all()
    assert draws["loss"].iloc[0] == draws["loss"].min(), "draw 0 is the kept draw with the lowest loss"
    assert len(list((out / "waves" / "wave_1").glob("point_*.json"))) == 4
    posterior = pd.read_csv(out / "posterior.csv")
    assert (posterior["prior_low"] <= posterior["posterior_p05"]).all()
    assert (posterior["posterior_p95"] <= posterior["prior_high"]).all()
    report = (out / "fit_report.md").read_text()
    for section in ("Acceptance rule", "Posterior beside prior", "Validation: published figures not fitted"):
        assert section in report, section
    for name in ("fit_report.md", "fit_table.csv", "fit_report.png"):
        assert (out / "published" / name).read_bytes() == (out / name).read_bytes(), name
    assert "Search wall time" in (out / "fit_report.md").read_text()
    written = yaml.safe_load(fitted.read_text())
    assert len(written["draws"]) == 3 and written["spending_scale"] > 0
    assert all(key.startswith(("drivers.", "incapacity_benefit.", "disability_benefit.", "work.", "health.", "demography."))
               for key in written["draws"][0])


def test_fitted_config_reproduces_its_reported_fit(tiny_calibration):
    from omegaconf import OmegaConf

    from sim.calibration.runner import run_totals

    out, fitted = tiny_calibration
    written = yaml.safe_load(fitted.read_text())
    # The fit is computed on the model's own dynamics after March 2024 (the aligned
    # projection's factors, from April 2024, are solved from the draws afterwards).
    raw = OmegaConf.to_container(compose(["population.size=3000", "projection=free"]), resolve=False)
    raw.pop("hydra", None)
    calibrate = yaml.safe_load((REPO / "configs" / "calibrate.yaml").read_text())
    parsed = targets.parse(calibrate["targets"])
    totals = run_totals(raw, written["draws"][0], [0], 3000, snapshots=targets.snapshots(parsed))
    spending = [column for column in totals.columns if column.endswith("_spending_gbp")]
    totals[spending] *= written["spending_scale"]
    again = targets.table(targets.compare(parsed, totals))
    reported = pd.read_csv(out / "fit_table.csv")
    assert np.allclose(again["model"], reported["model"], rtol=1e-9)


def test_resuming_does_not_redo_trials(tiny_calibration):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from sim.calibration import search
    from sim.config import CONFIG_DIR

    out, _ = tiny_calibration
    def complete(study) -> int:
        return sum(trial.state == search.optuna.trial.TrialState.COMPLETE for trial in study.trials)

    study = search.optuna.load_study(study_name=STUDY, storage=search.storage(out))
    before = complete(study)
    assert before == 6
    _, overrides = _tiny_settings(out)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        config = hydra_compose(config_name="calibrate", overrides=[*overrides, "calibrate.workers=1",
                                                                   "calibrate.write_config=false"])
    settings = search.Settings.model_validate(search.OmegaConf.to_container(config, resolve=True)["calibrate"])
    again = search.search({}, {}, [], settings)
    assert complete(again) == before, "a rerun with every trial done runs none"


def test_shapley_values_add_up_and_match_an_additive_game():
    players = ["a", "b", "c"]
    worth = {"a": 1.0, "b": 2.0, "c": -0.5}
    values = {frozenset(s): sum(worth[p] for p in s) + (3.0 if {"a", "b"} <= set(s) else 0.0)
              for k in range(4) for s in __import__("itertools").combinations(players, k)}
    result = shapley(values, players)
    assert result["c"] == pytest.approx(-0.5)
    assert result["a"] == pytest.approx(1.0 + 1.5) and result["b"] == pytest.approx(2.0 + 1.5)
    assert sum(result.values()) == pytest.approx(values[frozenset(players)] - values[frozenset()])


def test_driver_profiles_and_projections():
    config = load([])
    projection = config.projection.model_copy(update={"mode": "trend"})
    ramp = config.drivers["mental_health_incidence"].model_copy(update={"effect": 1.0})
    trend = drivers.shape(ramp, "2019-04", 120, projection)
    assert trend[0] == 0 and trend[59] == pytest.approx(59 / 59) and trend[119] > 1.9, "trend extends the ramp"
    flat = drivers.shape(ramp, "2019-04", 120, projection.model_copy(update={"mode": "flatten"}))
    assert flat[119] == pytest.approx(flat[59])
    faded = drivers.shape(ramp, "2019-04", 120, projection.model_copy(update={"mode": "pre_pandemic"}))
    assert faded[119] == 0 and faded[60] < faded[59]
    pulse = config.drivers["pandemic"].model_copy(update={"persist": 0.4})
    profile = drivers.shape(pulse, "2019-04", 120, projection)
    assert profile[10] == 0 and profile[11] == 1 and profile[32] == 1 and 0.4 < profile[80] < 0.6
    factor = drivers.multipliers(ramp, 1.0, "2019-04", 120, projection)
    assert factor[59, 0] == pytest.approx(2.0) and factor[59, 9] == pytest.approx(1.3), "age weights apply"


def test_a_series_driver_follows_its_points_and_moves_a_calendar_rate():
    config = load([])
    projection = config.projection.model_copy(update={"mode": "flatten", "start": "2024-04"})
    rising = config.drivers["rising_16s"]
    profile = drivers.shape(rising, "2019-04", 120, projection)
    assert profile[0] == 0 and profile[18] == pytest.approx(0.327) and profile[42] == pytest.approx(1.296)
    assert profile[24] == pytest.approx((0.327 + 0.616) / 2), "linear between points"
    assert profile[119] == pytest.approx(profile[59]), "held at March 2024 under flatten"
    rate = drivers.calendar_rate("demography.entrants_disability_benefit_share", 0.03, config.drivers, "2019-04",
                                 120, projection)
    assert rate[0] == pytest.approx(0.03) and rate[54] == pytest.approx(0.03 * 2.359)
    off = {name: d.model_copy(update={"enabled": False}) for name, d in config.drivers.items()}
    assert (drivers.calendar_rate("demography.entrants_disability_benefit_share", 0.03, off, "2019-04", 120,
                                  projection) == 0.03).all()


def test_the_rising_16s_driver_and_share_are_the_published_awards():
    """Each point of the rising_16s driver is that year's published awards (E&W) over the
    April 2019 rate, less 1, and the April 2019 share is that rate over the cohort turning 16."""
    from sim.published import load_figures

    figures = load_figures()
    config = load([])

    def awards(year):
        figure = figures[f"dwp_rising_16s_awards_{year}"]
        return figure.england_and_wales * (12 / 7 if year == "apr_oct_2024" else 1)

    base = (awards("2018_19") + awards("2019_20")) / 2
    expected = {"2020-10": "2020_21", "2021-10": "2021_22", "2022-10": "2022_23", "2023-10": "2023_24",
                "2024-07": "apr_oct_2024"}
    points = config.drivers["rising_16s"].points
    assert points["2019-04"] == 0.0
    for month, year in expected.items():
        assert points[month] == pytest.approx(awards(year) / base - 1, abs=0.001), month
    cohort = config.demography.entrants_per_month * 12
    assert config.demography.entrants_disability_benefit_share == pytest.approx(base / cohort, abs=2e-5)
    assert config.drivers["rising_16s"].prior is None and config.drivers["rising_16s"].effect == 1.0


def test_disabled_driver_has_no_effect():
    small = ["population.size=2000", "panel.size=0", "calibration.draws=[]"]
    on = load(["drivers.pandemic.effect=0.8", *small])
    off = load(["drivers.pandemic.effect=0.8", "drivers.pandemic.enabled=false", *small])
    none = load(["drivers.pandemic.effect=0.0", *small])
    from sim.model import InactivityModel

    rows = [InactivityModel(c).hazards["health"].period[8, 20, 5] for c in (on, off, none)]
    assert rows[0] == pytest.approx(1.8) and rows[1] == rows[2] == 1.0


def test_a_new_study_first_tries_the_committed_draws(tiny_calibration):
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    out, _ = tiny_calibration
    storage = JournalStorage(JournalFileBackend(str(out / "study.journal")))
    study = optuna.load_study(study_name=STUDY, storage=storage)
    first = min(study.trials, key=lambda trial: trial.number)
    committed = yaml.safe_load((REPO / "configs" / "calibration" / "default.yaml").read_text())["draws"][0]
    shared = [key for key in first.params if key in committed]
    assert shared
    for key in shared:
        low, high = first.distributions[key].low, first.distributions[key].high
        assert first.params[key] == pytest.approx(min(max(committed[key], low), high), rel=1e-12)


def test_an_upper_bound_is_met_anywhere_below_it():
    bound = targets.Target(figure="dwp_uc_health_into_work_per_month", metric="incapacity_benefit_recipients_into_work",
                           kind="flow_share", window=("2023-04", "2024-03"), uncertainty=0.001, bound="upper",
                           denominator=("incapacity_benefit_lcw", "incapacity_benefit_lcwra"))
    below = targets.Comparison(bound, published=0.01, model=0.002, error=-0.008)
    above = targets.Comparison(bound, published=0.01, model=0.0115, error=0.0015)
    assert below.within and below.z == 0.0
    assert not above.within and above.z == pytest.approx(1.5) and above.plausible()
    two_sided = targets.Comparison(bound.model_copy(update={"bound": "both"}), published=0.01, model=0.002, error=-0.008)
    assert not two_sided.within


def test_an_annual_change_compares_the_ends_of_its_window_in_people_a_year():
    target = targets.Target(figure="dwp_ifs_hrb_change_2018_to_2019_20", metric="health_benefit_recipients",
                            kind="annual_change", window=("2019-04", "2020-02"), uncertainty=35000.0)
    months = pd.date_range("2019-04-01", "2020-03-01", freq="MS")
    totals = pd.DataFrame({"health_benefit_recipients": 2.8e6 + 5000.0 * np.arange(months.size)}, index=months)
    # 5,000 a month: the means of April-June and December-February are 8 months apart
    assert targets.model_value(target, totals) == pytest.approx(60000.0)
    (comparison,) = targets.compare([target], totals)
    assert comparison.published == 0.0 and comparison.error == pytest.approx(60000.0)
    assert comparison.z == pytest.approx(60000.0 / 35000.0) and target.error_unit == "people a year"
    short = target.model_copy(update={"window": ("2019-04", "2019-08")})
    with pytest.raises(ValueError, match="at least 6 months"):
        targets.model_value(short, totals)


def test_no_driver_change_splits_into_growth_age_mix_and_drift():
    from sim.calibration.decomposition import demographic_parts

    bands = ("16-24", "25-34", "35-49", "50-64")
    annual = pd.DataFrame({
        "population": [100.0, 110.0], "health_benefit_recipients": [10.0, 13.0],
        **{f"population@{band}": [25.0, 25.0 + 10.0 * (band == "50-64")] for band in bands},
        **{f"health_benefit_recipients@{band}": [1.0, 1.0] for band in bands[:3]},
        "health_benefit_recipients@50-64": [7.0, 10.0],
    }, index=["2019-20", "2023-24"])
    growth, age_mix = demographic_parts(annual, "health_benefit_recipients", "2019-20", "2023-24")
    assert growth == pytest.approx(10.0 * 0.1)
    # at 2019-20 rates the new age mix gives 3 x 1 + 7 / 25 x 35 = 12.8 against 11 from growth alone
    assert age_mix == pytest.approx(12.8 - 11.0)


def test_the_no_driver_parts_add_up_to_the_no_driver_change_and_name_each_benefit():
    from sim.calibration.decomposition import CONTINUATION, no_driver_parts

    bands = ("16-24", "25-34", "35-49", "50-64")
    years = ["2019-20", "2023-24"]
    columns = {"population": [100.0, 104.0], **{f"population@{b}": [25.0, 26.0] for b in bands}}
    for metric, start, end in (("health_benefit_recipients", 10.0, 14.0), ("incapacity_benefit_recipients", 6.0, 6.2),
                               ("disability_benefit_recipients", 7.0, 8.5), ("health_benefit_recipients_both", 3.0, 0.7)):
        columns[metric] = [start, end]
        for band in bands:
            columns[f"{metric}@{band}"] = [start / 4, end / 4]
    annual = pd.DataFrame(columns, index=years)
    parts = dict(no_driver_parts(annual, "health_benefit_recipients", *years, factor=1.0))
    assert sum(parts.values()) == pytest.approx(4.0)
    assert parts["no driver: population growth"] == pytest.approx(10.0 * 0.04)
    pip_label, both_label = (label for _, label, _ in CONTINUATION["health_benefit_recipients"][1:])
    # PIP goes from 7 to 8.5; growth at 4% gives 0.28 of it, the rest is PIP's own
    assert parts[pip_label] == pytest.approx(1.5 - 7.0 * 0.04)
    # people on both fall from 3 to 0.7, against 3.12 at 4% growth: 2.42 more counted once each
    assert parts[both_label] == pytest.approx(3.0 * 1.04 - 0.7)
    assert parts["no driver: age mix"] == pytest.approx(0.0)


def test_the_pip_flow_account_signs_and_nets_its_flows():
    from sim.calibration.decomposition import ACCOUNT_YEARS, PIP_FLOWS, pip_flow_account

    values = dict(zip(PIP_FLOWS, (160.0, 30.0, 50.0, 10.0, 20.0, 60.0), strict=True))
    annual = pd.DataFrame({metric: [value] * len(ACCOUNT_YEARS) for metric, value in values.items()},
                          index=list(ACCOUNT_YEARS))
    account = pip_flow_account(annual, annual * 2)
    net = account[account["flow"] == "net of these flows"].set_index(["year", "run"])["people_a_year"]
    assert net[("2019-20", "no driver")] == pytest.approx(160 + 30 - 50 - 10 - 20 - 60)
    assert net[("2022-23", "fitted")] == pytest.approx(2 * 50.0)


def test_anchored_shapley_values_add_up_to_the_anchor_runs_driver_total():
    from sim.calibration.decomposition import anchored

    scaled = anchored({"pandemic": 30.0, "claims": 10.0}, driver_total=60.0)
    assert scaled == pytest.approx({"pandemic": 45.0, "claims": 15.0})
    # totals of opposite sign cannot be scaled: each driver takes an equal share of the gap
    shifted = anchored({"pandemic": 30.0, "claims": -40.0}, driver_total=10.0)
    assert shifted == pytest.approx({"pandemic": 40.0, "claims": -30.0})
    assert sum(shifted.values()) == pytest.approx(10.0)


def test_the_last_wave_can_be_larger_and_extends_the_same_points():
    """final_wave_points sizes only the last wave, and a larger wave's first points are the
    smaller wave's, so enlarging the last wave of a finished calibration resumes it."""
    from types import SimpleNamespace

    from sim.calibration.waves import draw_points, wave_size

    settings = SimpleNamespace(waves=3, wave_points=250, final_wave_points=500)
    assert [wave_size(wave, settings) for wave in (1, 2, 3)] == [250, 250, 500]
    assert wave_size(3, SimpleNamespace(waves=3, wave_points=250, final_wave_points=None)) == 250
    mean, covariance = np.full(3, 0.5), np.eye(3) * 0.05
    small, small_density = draw_points(mean, covariance, 250, seed=11)
    large, large_density = draw_points(mean, covariance, 600, seed=11)
    assert np.array_equal(large[:250], small) and np.allclose(large_density[:250], small_density)
    assert ((large >= 0) & (large <= 1)).all() and len(large) == 600


_MOVE_EVALUATIONS = []


def _square_rule(values, *arguments):
    """A toy model: parameter sets inside [0.2, 0.8]^2 meet every target, others do not."""
    _MOVE_EVALUATIONS.append(values)
    inside = all(0.2 <= values[key] <= 0.8 for key in ("a", "b"))
    return {"toy": 0.0 if inside else 9.0}, 0.0 if inside else 81.0, 0.0 if inside else 9.0


def test_abc_mcmc_moves_stay_in_the_accepted_region_spread_over_it_and_resume(tmp_path):
    """Chains started in one corner of the accepted region spread over all of it (the moves
    leave the uniform ABC posterior unchanged, so they undo a proposal's focus), every end
    state meets the rule, and rerunning evaluates nothing again."""
    from types import SimpleNamespace

    from sim.calibration.waves import Evaluation, move

    space = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    rng = np.random.default_rng(3)
    starts = [Evaluation(values={"a": float(a), "b": float(b)}, z={"toy": 0.0}, loss=0.0, implausibility=0.0,
                         wave=1, origin=f"wave 1 point {i}")
              for i, (a, b) in enumerate(rng.uniform(0.2, 0.35, size=(60, 2)))]
    settings = SimpleNamespace(move_steps=40, implausibility_cut=3.0, output_dir=str(tmp_path), sampler_seed=5,
                               waves=1, workers=1, study_name="toy")
    _MOVE_EVALUATIONS.clear()
    ends, moves = move(starts, space, settings, _square_rule, ())
    points = np.array([[e.values["a"], e.values["b"]] for e in ends])
    assert ((points >= 0.2) & (points <= 0.8)).all()
    assert 0.1 < moves.taken / (moves.proposed + moves.outside_box) < 0.9 and moves.moved_chains >= 55
    # the starts' mean is 0.275; uniform over the square has mean 0.5 and sd 0.17
    assert points.mean(axis=0) == pytest.approx([0.5, 0.5], abs=0.08)
    assert points.std(axis=0) == pytest.approx([0.17, 0.17], abs=0.05)
    evaluated = len(_MOVE_EVALUATIONS)
    again, _ = move(starts, space, settings, _square_rule, ())
    assert len(_MOVE_EVALUATIONS) == evaluated
    assert [e.values for e in again] == [e.values for e in ends]
    from sim.params.errors import ConfigError

    with pytest.raises(ConfigError, match="holds the points of study 'toy'"):
        move(starts, space, SimpleNamespace(**{**vars(settings), "study_name": "changed"}), _square_rule, ())


def test_few_accepted_sets_each_start_several_chains_to_give_the_draws_kept(tmp_path):
    from types import SimpleNamespace

    from sim.calibration.waves import Evaluation, move, posterior

    space = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    accepted = [Evaluation(values={"a": a, "b": b}, z={"toy": 0.0}, loss=float(i), implausibility=0.0, wave=1,
                           origin=f"wave 1 point {i}")
                for i, (a, b) in enumerate(((0.3, 0.3), (0.5, 0.6), (0.7, 0.4), (0.6, 0.7)))]
    settings = SimpleNamespace(move_steps=10, implausibility_cut=3.0, output_dir=str(tmp_path), sampler_seed=5,
                               waves=1, workers=1, study_name="toy")
    _MOVE_EVALUATIONS.clear()
    result = posterior(accepted, accepted, 3.0, 10, seed=1,
                       mover=lambda starts: move(starts, space, settings, _square_rule, ()))
    assert len(result.draws) == 10 and result.moves.chains == 12, "4 sets x 3 chains, 10 end states kept"
    assert "each starting 3 chains (12 in all)" in result.rule
    assert len({tuple(d.values.values()) for d in result.draws}) == 10, "chains from one start part ways"
    assert all(d.implausibility <= 3.0 for d in result.draws)


def test_a_cached_starting_population_runs_as_a_fresh_one_under_other_pip_values():
    """The runner keeps one starting population per size and seed; PIP's April 2019
    pipelines, which depend on the PIP hazards, are redrawn by each run, so an evaluation
    after a set with other PIP values gives exactly the run a fresh population gives."""
    from omegaconf import OmegaConf

    from sim.calibration import runner

    raw = OmegaConf.to_container(compose(["population.size=3000", "projection=free"]), resolve=False)
    raw.pop("hydra", None)
    first = {"disability_benefit.transitions.review_deferred.base": 0.3, "disability_benefit.transitions.claim.base": 0.002}
    second = {"disability_benefit.transitions.review_deferred.base": 0.6, "disability_benefit.transitions.claim.base": 0.004}
    runner._CACHE.clear()
    early = runner.run_totals(raw, first, [0], 3000, end="2020-03")
    cached = runner.run_totals(raw, second, [0], 3000, end="2020-03")
    runner._CACHE.clear()
    fresh = runner.run_totals(raw, second, [0], 3000, end="2020-03")
    pd.testing.assert_frame_equal(cached, fresh)
    waiting = "disability_benefit_awaiting_decision"
    assert cached[waiting].iloc[0] > 1.25 * early[waiting].iloc[0], "twice the claim rate, more claims in progress"


BANDS = ("16-24", "25-34", "35-49", "50-64")


def _banded_annual(levels: dict[str, list[float]], band_weights: dict[str, list[float]],
                   years: list[str]) -> pd.DataFrame:
    """Annual totals whose every stock splits over the broad age bands by ``band_weights``
    (a list of weights per band, one per year) and whose population is a stock too."""
    columns = {}
    for metric, values in levels.items():
        columns[metric] = values
        for band in BANDS:
            columns[f"{metric}@{band}"] = [value * weight for value, weight in zip(values, band_weights[band])]
    return pd.DataFrame(columns, index=years)


def test_with_health_held_the_no_driver_parts_add_up_in_every_measure_and_period():
    from sim.calibration.decomposition import CONTINUATION, HEALTH_DRIFT, PERIODS, no_driver_parts

    years = ["2019-20", "2023-24", "2028-29"]
    weights = {"16-24": [0.1, 0.12, 0.15], "25-34": [0.2, 0.2, 0.2], "35-49": [0.3, 0.28, 0.25],
               "50-64": [0.4, 0.4, 0.4]}
    population = {"population": [1000.0, 1030.0, 1060.0]}
    drifting = _banded_annual({**population, "health_benefit_recipients": [100.0, 140.0, 170.0],
                               "incapacity_benefit_recipients": [60.0, 80.0, 95.0],
                               "disability_benefit_recipients": [70.0, 95.0, 115.0],
                               "health_benefit_recipients_both": [30.0, 35.0, 40.0],
                               "inactive_long_term_sick": [50.0, 58.0, 61.0],
                               "health_benefit_spending_gbp": [9.0, 12.0, 14.0],
                               "incapacity_benefit_spending_gbp": [5.0, 6.5, 7.5],
                               "disability_benefit_spending_gbp": [4.0, 5.5, 6.5]}, weights, years)
    held = drifting.copy()
    for metric in ("incapacity_benefit_recipients", "inactive_long_term_sick", "incapacity_benefit_spending_gbp"):
        held[metric] = drifting[metric] * [1.0, 0.9, 0.85]
    held["health_benefit_recipients"] = (held["incapacity_benefit_recipients"] + held["disability_benefit_recipients"]
                                         - held["health_benefit_recipients_both"])
    held["health_benefit_spending_gbp"] = held["incapacity_benefit_spending_gbp"] + held["disability_benefit_spending_gbp"]
    for metric in CONTINUATION:
        for period, (start, end) in PERIODS.items():
            split = period == "2019-20 to 2023-24"
            parts = dict(no_driver_parts(drifting, metric, start, end, factor=2.0, held=held if split else None))
            change = 2.0 * (drifting.loc[end, metric] - drifting.loc[start, metric])
            assert sum(parts.values()) == pytest.approx(change), (metric, period)
            assert (HEALTH_DRIFT in parts) == split
    parts = dict(no_driver_parts(drifting, "health_benefit_recipients", "2019-20", "2023-24", factor=1.0, held=held))
    # incapacity benefits are 8 lower in the held run's 2023-24: that is the health drift
    assert parts[HEALTH_DRIFT] == pytest.approx(80.0 * 0.1)


def test_holding_health_level_scales_each_onset_and_reads_age_standardised_shares():
    from sim.calibration.steady_health import ONSETS, share_changes, with_onsets

    raw = {"health": {"transitions": {name: {"base": 0.01, "sex": {"male": 0.5}} for name in ONSETS.values()}}}
    multipliers = {metric: 1.0 + index for index, metric in enumerate(ONSETS)}
    scaled = with_onsets(raw, multipliers)
    for index, transition in enumerate(ONSETS.values()):
        assert scaled["health"]["transitions"][transition]["base"] == pytest.approx(0.01 * (1 + index))
        assert scaled["health"]["transitions"][transition]["sex"] == {"male": 0.5}
    assert raw["health"]["transitions"]["limiting_onset"]["base"] == 0.01  # the input is left alone
    with pytest.raises(TypeError, match="limiting_onset.base must be a number"):
        with_onsets({"health": {"transitions": {**raw["health"]["transitions"],
                                                "limiting_onset": {"base": "${calibrated:x,0.1}"}}}}, multipliers)
    # the population ages (more 50-64s, where a condition is twice as common) but no band's
    # share moves: the age-standardised change is zero while the crude share rises
    years = ["2019-20", "2023-24"]
    weights = {"16-24": [0.25, 0.2], "25-34": [0.25, 0.2], "35-49": [0.25, 0.25], "50-64": [0.25, 0.35]}
    population = _banded_annual({"population": [1000.0, 1000.0]}, weights, years)
    for metric in ONSETS:
        for band in BANDS:
            rate = 0.2 if band == "50-64" else 0.1
            population[f"{metric}@{band}"] = population[f"population@{band}"] * rate
        population[metric] = sum(population[f"{metric}@{band}"] for band in BANDS)
    population["limiting_condition@50-64"] *= [1.0, 1.5]
    changes = share_changes(population)
    assert changes["mental_health_condition"] == pytest.approx(0.0)
    assert population.loc["2023-24", "mental_health_condition"] > population.loc["2019-20", "mental_health_condition"]
    # 50-64s' limiting share goes from 0.2 to 0.3, at 2019-20's 25% weight: +0.025
    assert changes["limiting_condition"] == pytest.approx(0.25 * 0.1)


def _fake_health_run(targets: dict[str, float], coupling: float = 0.3):
    """A stand-in for the model: each share's 2023-24 change is linear in the log multipliers
    (its own and, through ``coupling``, mental health's), zero at the multipliers ``targets``."""
    import math

    from sim.calibration.steady_health import ONSETS

    calls = []

    def run(raw, values, multipliers, seeds, size):
        calls.append(dict(multipliers))
        x = {metric: math.log(multipliers[metric] / targets[metric]) for metric in ONSETS}
        changes = {metric: 0.02 * x[metric] + (coupling * 0.02 * x["mental_health_condition"]
                                               if metric == "limiting_condition" else 0.0) for metric in ONSETS}
        levels = {"population": [100.0, 100.0]}
        for metric, change in changes.items():
            levels[metric] = [20.0, 20.0 + 100.0 * change]
        weights = {band: [0.25, 0.25] for band in BANDS}
        return _banded_annual(levels, weights, ["2019-20", "2023-24"])

    return run, calls


def test_the_health_holding_search_converges_and_returns_the_multipliers_of_a_run_it_made():
    from sim.calibration.steady_health import ONSETS, hold_health_level

    targets = {metric: value for metric, value in zip(ONSETS, (1.35, 0.97, 1.0, 1.07, 0.63), strict=True)}
    raw = {"health": {"transitions": {name: {"base": 0.01} for name in ONSETS.values()}}}
    run, calls = _fake_health_run(targets)
    held_raw, multipliers, left = hold_health_level(raw, {}, [0], 10, run=run)
    assert multipliers == pytest.approx(targets, rel=0.03)
    assert max(abs(change) for change in left.values()) < 0.0005
    assert multipliers in calls
    assert held_raw["health"]["transitions"]["limiting_onset"]["base"] == pytest.approx(0.01 * multipliers["limiting_condition"])
    # started at the answer it needs one run; cut short it keeps its best run and says so
    run, calls = _fake_health_run(targets)
    hold_health_level(raw, {}, [0], 10, start=targets, run=run)
    assert len(calls) == 1


def test_a_health_holding_search_cut_short_keeps_its_best_run(capsys):
    from sim.calibration.steady_health import ONSETS, hold_health_level

    targets = {metric: 3.0 for metric in ONSETS}
    raw = {"health": {"transitions": {name: {"base": 0.01} for name in ONSETS.values()}}}
    run, calls = _fake_health_run(targets)
    _, multipliers, left = hold_health_level(raw, {}, [0], 10, iterations=2, run=run)
    assert len(calls) == 2 and multipliers == calls[1]  # the second run is nearer: steps go towards 3
    assert "a share still changes by" in capsys.readouterr().err
    assert all(change < 0 for change in left.values())


def test_a_draws_no_driver_row_splits_the_rise_into_demography_health_drift_and_benefit_flows():
    from sim.calibration.decomposition import demographic_parts
    from sim.calibration.no_driver import draw_row, report_lines

    years = ["2019-20", "2023-24"]
    weights = {"16-24": [0.1, 0.1], "25-34": [0.2, 0.15], "35-49": [0.3, 0.3], "50-64": [0.4, 0.45]}

    def annual(recipients: list[float], limiting: list[float]) -> pd.DataFrame:
        frame = _banded_annual({"health_benefit_recipients": recipients}, weights, years)
        frame["population"] = [1000.0, 1040.0]
        for band in BANDS:
            frame[f"population@{band}"] = frame["population"] * [0.25, 0.25]
        frame["population@50-64"] = frame["population"] * [0.25, 0.3]
        frame["population@16-24"] = frame["population"] * [0.25, 0.2]
        frame["limiting_condition"], frame["mental_health_condition"] = limiting, [200.0, 208.0]
        return frame

    no_driver = annual([100.0, 120.0], [200.0, 232.0])
    row = draw_row(7, no_driver=no_driver, fitted=annual([100.0, 200.0], [200.0, 260.0]),
                   held=annual([100.0, 110.0], [200.0, 208.0]))
    growth, age_mix = demographic_parts(no_driver, "health_benefit_recipients", *years)
    assert age_mix != pytest.approx(0.0)
    assert row["demography"] == pytest.approx(growth + age_mix)
    assert row["draw"] == 7 and row["rise_all_drivers"] == pytest.approx(100.0)
    assert row["health_drift"] == pytest.approx(10.0)
    assert row["no_driver_share"] == pytest.approx(0.20)
    assert row["no_driver_beyond_demography_share"] == pytest.approx((20.0 - growth - age_mix) / 100.0)
    assert row["no_driver_benefit_flows_share"] == pytest.approx((20.0 - growth - age_mix - 10.0) / 100.0)
    # the limiting share goes from 20% to 232/1040 over four years
    assert row["limiting_share_change_pts_a_year"] == pytest.approx((232 / 1040 - 0.2) * 100 / 4)
    rows = pd.DataFrame([{**row, "held_largest_share_change_left_pts": 0.01},
                         {**row, "draw": 8, "no_driver_share": 0.05, "held_largest_share_change_left_pts": 0.02}])
    lines = "\n".join(report_lines(rows))
    assert "1 of 2 draws leave less than 10% of the rise with no driver" in lines
    assert "rank correlation" not in lines  # not defined for two draws
