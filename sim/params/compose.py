"""Composing and validating a run's configuration: the one module that knows Hydra/OmegaConf.

Hydra composes ``configs/`` and ``scenarios/`` into a DictConfig; :func:`validate` turns it
into a :class:`~sim.params.schema.RunConfig` or raises :class:`~sim.params.errors.ConfigError`
whose message names the key, the value and what is allowed. The command line prints that
line and exits with code 2 before any work is done.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, StrictInt, ValidationError

from sim.params.errors import ConfigError
from sim.params.schema import RunConfig

CONFIG_DIR = Path(__file__).resolve().parent.parent.parent / "configs"
NON_MODEL_KEYS = ("hydra", "calibrate", "targets", "checks", "parameters", "uncertainty_sources")
"""Top-level keys of composed configs that are not part of a run (calibration settings)."""


def _calibrated(key: str, default: float, *, _root_: DictConfig) -> float:
    """``${calibrated:KEY,DEFAULT}``: KEY's value in the selected calibration draw, else DEFAULT.

    The configs read every calibrated number through this resolver, so ``calibration.draw=K``
    selects a draw while a scenario or command-line value for the same key, which replaces
    the interpolation, always wins.
    """
    calibration = _root_.get("calibration") or {}
    draws = calibration.get("draws") or []
    draw = calibration.get("draw", 0)
    if draws and isinstance(draw, int) and 0 <= draw < len(draws):
        value = draws[draw].get(key)
        if value is not None:
            return float(value)
    return float(default)


OmegaConf.register_new_resolver("calibrated", _calibrated, replace=True)


def _check_draw_keys(raw: dict[str, Any]) -> None:
    """Every key of the selected draw must name a value in the config."""
    calibration = raw.get("calibration") or {}
    draws = calibration.get("draws") or []
    draw = calibration.get("draw", 0)
    if not draws or not isinstance(draw, int) or not 0 <= draw < len(draws):
        return
    for key in draws[draw]:
        node: Any = raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ConfigError(f"calibration.draws[{draw}]: {key!r} is not a key of the config")
            node = node[part]



def _dotted(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "[key]" and not str(part).startswith(("literal[", "list[")))


def _field_bounds(location: tuple[Any, ...], schema: Any = None) -> str | None:
    """'from A to B' for a numeric field of the schema (RunConfig unless given), found by
    walking ``location``."""
    model: Any = schema or RunConfig
    info = None
    for part in location:
        if typing.get_origin(model) in (typing.Union, types.UnionType):
            model = next(arg for arg in typing.get_args(model) if arg is not type(None))
        if typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        model = info.annotation
    if info is None:
        return None
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        low = getattr(item, "gt", None) if getattr(item, "gt", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
        high = getattr(item, "lt", None) if getattr(item, "lt", None) is not None else high
    if low is None and high is None:
        return None
    kind = "a whole number" if info.annotation in (int, StrictInt) else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low:,} to {high:,}"
    return f"{kind} of at least {low:,}" if low is not None else f"{kind} of at most {high:,}"


_PHRASES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
}


def _one_line(error: dict[str, Any], schema: Any = None, section: str = "") -> str:
    location = tuple(error["loc"])
    key = ".".join(part for part in (section, _dotted(location)) if part)
    message = error["msg"].replace("\n", " ")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key; check its spelling against configs/ (docs/model.md lists every key)"
    if kind == "missing":
        return f"{key}: missing; this key is required"
    if "[key]" in location:
        value = location[location.index("[key]") - 1]
        expected = error.get("ctx", {}).get("expected", message)
        return f"{key}: {value!r} is not allowed; allowed: {expected}"
    value = error.get("input")
    if not location or isinstance(value, (dict, list)):
        return f"{key}: {message}" if key else message
    if message.startswith("allowed:"):
        return f"{key}: {value!r} is not allowed; {message}"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", message)
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        allowed = _field_bounds(location, schema) or message
    else:
        allowed = _PHRASES.get(kind) or _field_bounds(location, schema) or message
    return f"{key}: {value!r} is not allowed; allowed: {allowed}"


def validate(config: DictConfig | dict[str, Any]) -> RunConfig:
    """The typed run configuration, or ConfigError naming the first bad key and value."""
    if not isinstance(config, DictConfig):
        config = OmegaConf.create({key: value for key, value in dict(config).items() if key != "hydra"})
    try:
        raw = OmegaConf.to_container(config, resolve=True)
    except Exception as error:
        raise ConfigError(f"cannot resolve the config: {str(error).splitlines()[0]}") from None
    raw = {key: value for key, value in raw.items() if key not in NON_MODEL_KEYS}  # type: ignore[union-attr]
    try:
        _check_draw_keys(raw)
        return RunConfig.model_validate(raw)
    except ConfigError:
        raise
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise ConfigError(_one_line(first)) from None
    except ValueError as error:
        raise ConfigError(str(error).splitlines()[0]) from None


def validate_section(schema: type[BaseModel], values: Any, section: str) -> Any:
    """``values`` (the ``section`` of a composed config) as ``schema``, or ConfigError naming
    the first bad ``section.KEY``, its value and what is allowed, as ``validate`` does."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        raise ConfigError(_one_line(error.errors(include_url=False)[0], schema, section)) from None


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """The composed config for ``overrides``, as ``python -m sim`` would build it.

    For notebooks, tests and the calibration, which run models without the CLI.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=list(overrides))


def load(overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Compose and validate in one step."""
    return validate(compose(overrides))
