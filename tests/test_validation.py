"""Bad configuration stops before any work: one line naming key, value and what is allowed."""

from __future__ import annotations

import pytest

from sim.config import ConfigError, compose, validate
from tests.conftest import run_cli

CASES = [
    ("population.size=-5", "population.size: -5", "1,000 to 37,043,234"),
    ("population.size=0", "population.size: 0", "1,000 to 37,043,234"),
    ("population.size=1500.5", "population.size: 1500.5", "whole number"),
    ("population.size=50000000", "population.size: 50000000", "37,043,234"),
    ("population.areas=[narnia]", "population.areas", "'narnia' is not an area"),
    ("incapacity_benefit.transitions.claim.base=1.5", "incapacity_benefit.transitions.claim.base: 1.5", "0.0 to 1.0"),
    ("health.transitions.obesity_onset.base=-0.1", "health.transitions.obesity_onset.base: -0.1", "0.0 to 1.0"),
    ("period.start=2030-01", "period: start '2030-01' is after end '2029-03'", "no later than the end"),
    ("period.end=2029-13", "period.end: '2029-13'", "YYYY-MM"),
    ("demography.mortality_file=missing.csv", "demography.mortality_file: 'missing.csv'", "existing file"),
    ("population.data.condition_prevalence=nope.csv", "population.data.condition_prevalence: 'nope.csv'", "existing file"),
    ("+work.transitions.employed_to_unemployed.area.narnia=2", "work.transitions.employed_to_unemployed.area.narnia: 'narnia'", "'wales'"),
    ("work.transitions.employed_to_unemployed.limiting.limiting=-1", "limiting", "0 or more"),
    ("disability_benefit.review.same_award=0.9", "disability_benefit.review", "sum to 1"),
    ("disability_benefit.review.higher_award=0.98", "disability_benefit.review.same_award: -0.037", "0.0 to 1.0"),
    ("seed=-1", "seed: -1", "at least 0"),
    ("panel.size=-1", "panel.size: -1", "at least 0"),
    ("projection.mode=sideways", "projection.mode: 'sideways'", "'aligned'"),
]

ALIGNMENT_CASES = [
    ({"incapacity_benefit.claim": {"2025-27": 1.1}}, "aligned", "alignment.incapacity_benefit.claim.2025-27", "like 2025-26"),
    ({"incapacity_benefit.claim": {"2025-26": 0.0}}, "aligned", "alignment.incapacity_benefit.claim.2025-26: 0.0", "above 0"),
    ({"work.nowhere": {"2025-26": 1.1}}, "aligned", "'work.nowhere' is not a transition", "allowed"),
    ({"incapacity_benefit.claim": {"2025-26": 1.1}}, "trend", "projection.mode is 'trend'", "'aligned'"),
]


@pytest.mark.parametrize("alignment, mode, names, allowed", ALIGNMENT_CASES)
def test_a_bad_alignment_factor_is_named(alignment, mode, names, allowed):
    from omegaconf import OmegaConf

    raw = OmegaConf.to_container(compose([]), resolve=False)
    raw["projection"] = {**raw["projection"], "mode": mode, "alignment": alignment,
                         "alignment_source": "a test of the validation"}
    with pytest.raises(ConfigError) as error:
        validate(raw)
    message = str(error.value)
    assert "\n" not in message and names in message and allowed in message, message


@pytest.mark.parametrize("override, names, allowed", CASES)
def test_validate_names_key_value_and_what_is_allowed(override, names, allowed):
    with pytest.raises(ConfigError) as error:
        validate(compose([override]))
    message = str(error.value)
    assert "\n" not in message
    assert names in message and allowed in message


def test_default_config_is_valid():
    config = validate(compose([]))
    assert config.population.size == 370_432
    assert config.period.months == 120


@pytest.mark.parametrize("arguments, expected", [
    (["population.size=-5"], "population.size: -5 is not allowed"),
    (["scenario=nope"], "scenario: 'nope' is not a known scenario; allowed: announced_2025, baseline, combined"),
    (["no_such.key=3"], "no_such.key: unknown key"),
    (["-m", "seed=0,1", "population.size=1000,5"], "population.size: 5 is not allowed"),
])
def test_cli_exits_2_with_one_line_and_writes_nothing(tmp_path, arguments, expected):
    out = tmp_path / "out"
    result = run_cli(*arguments, f"hydra.run.dir={out}", f"hydra.sweep.dir={out}")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("error: ") and expected in lines[0]
    assert not out.exists()


def _bad_copy(tmp_path, name: str, edit) -> str:
    """A copy of sim/data/NAME with ``edit(text) -> text`` applied, as an absolute path."""
    from sim.config import DATA_DIR

    path = tmp_path / name
    path.write_text(edit((DATA_DIR / name).read_text()))
    return str(path)


BAD_FILES = [
    ("population.data.condition_prevalence", "condition_prevalence_2019.csv",
     lambda text: text.replace("prevalence,source", "rate,source", 1), "missing column(s) prevalence"),
    ("population.data.condition_prevalence", "condition_prevalence_2019.csv",
     lambda text: text.replace(",0.311,", ",about a third,", 1), "column prevalence row 2 is 'about a third'"),
    ("population.data.population_by_area", "population_by_area_2019.csv",
     lambda text: "\n".join(line for line in text.splitlines() if not line.startswith("wales,")),
     "no row with area wales"),
    ("demography.mortality_file", "mortality_2017_2019.csv", lambda text: "", "the file is empty"),
    ("spending.rates_file", "benefit_rules.csv", lambda text: text + "\n1,2,3,4,5,6,7,8,9\n",
     "cannot be read as CSV"),
    ("spending.rates_file", "benefit_rules.csv", lambda text: text.replace(",393.45,", ",,", 1),
     "column amount_gbp row 2 is empty"),
]


@pytest.mark.parametrize("key, name, edit, expected", BAD_FILES)
def test_a_bad_data_file_gives_one_line_naming_key_file_and_problem(tmp_path, key, name, edit, expected):
    path = _bad_copy(tmp_path, name, edit)
    with pytest.raises(ConfigError) as error:
        validate(compose([f"{key}={path}"]))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{key}: {path}") and expected in message, message


def test_cli_stops_on_a_corrupt_data_file_and_an_unwritable_directory(tmp_path):
    path = _bad_copy(tmp_path, "condition_prevalence_2019.csv", lambda text: text.replace("sex,", "gender,", 1))
    out = tmp_path / "out"
    for arguments, expected in (
        ([f"population.data.condition_prevalence={path}", f"hydra.run.dir={out}"], "missing column(s) sex"),
        (["hydra.run.dir=/proc/sim-cannot-write-here"], "hydra.run.dir: '/proc/sim-cannot-write-here' cannot be written"),
        (["-m", "seed=0,1", "hydra.sweep.dir=/proc/sim-sweep"], "hydra.sweep.dir: '/proc/sim-sweep' cannot be written"),
    ):
        result = run_cli(*arguments)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 2 and len(lines) == 1 and expected in lines[0], result.stderr
        assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_glob_sweep_over_a_config_group_is_checked_and_expanded():
    """``sensitivity=glob(*)`` (make sensitivity) needs Hydra's config loader to list the
    group's options; the pre-flight checks must expand it, not crash."""
    from sim import cli

    cli.check_group_choices(["sensitivity=glob(*)"])
    assert cli.validate_jobs(["scenario=baseline", "sensitivity=glob([central,exits_*])"]) == 3
