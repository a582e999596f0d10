"""Code health: the registry, the config schema and the kernel agree; random lanes are used
once; layers point one way; no import cycle; every packed index has one encoder."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import spec
from sim.core import encoding, states
from sim.core.people import FIELDS
from sim.params.models import Hazard
from sim.params.schema import RunConfig

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
CONFIGS = PACKAGE.parent / "configs"
LAYERS = (
    ("sim.core",),
    ("sim.params.errors", "sim.params.models", "sim.params.data_files"),
    ("sim.spec",),
    ("sim.params.schema", "sim.params.compose", "sim.config", "sim.published"),
    ("sim.engine", "sim.processes", "sim.population", "sim.health_steady_state"),
    ("sim.policy",),
    ("sim.spending", "sim.recorder", "sim.agents", "sim.model", "sim.aggregate"),
    ("sim.results", "sim.report", "sim.calibration", "sim.compare", "sim.reforms", "sim.projections", "sim.cli", "sim.docs",
     "sim.bench", "sim.hydra_callbacks", "sim.__main__", "sim"),
)
"""Layers from the bottom: a module may import its own layer and the ones below."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}


def _imports(module: str) -> set[str]:
    """Every sim module ``module`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sim")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


def _layer(module: str) -> int:
    matches = [(len(prefix), index) for index, prefixes in enumerate(LAYERS) for prefix in prefixes
               if module == prefix or module.startswith(prefix + ".")]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def test_layers_point_one_way():
    upward = [f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
              for module in MODULES for target in _imports(module) if _layer(target) > _layer(module)]
    assert not upward, "\n".join(upward)


def test_no_import_cycle_inside_sim():
    graph = {module: _imports(module) for module in MODULES}
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_every_module_imports_at_the_top():
    """Importing every module works on its own (a lazy import hiding a cycle would fail here)."""
    for module in sorted(MODULES):
        if module.endswith("__main__"):
            continue
        importlib.import_module(module)


# ---------------------------------------------------------------------------- registry vs schema


def test_every_process_with_a_config_group_is_in_the_schema_and_the_defaults():
    defaults = yaml.safe_load((CONFIGS / "config.yaml").read_text())["defaults"]
    groups = {next(iter(entry)) for entry in defaults if isinstance(entry, dict)}
    for process in spec.PROCESSES:
        if process.config_model is None:
            continue
        assert RunConfig.model_fields[process.name].annotation is process.config_model, process.name
        assert process.name in groups, f"configs/config.yaml defaults lack {process.name}"
        assert (CONFIGS / process.name / "default.yaml").is_file()


def test_default_hazards_cover_exactly_the_registry_transitions():
    for name in spec.HAZARD_PROCESSES:
        configured = yaml.safe_load((CONFIGS / name / "default.yaml").read_text())["transitions"]
        assert tuple(configured) == spec.PROCESS[name].transition_names, name


def test_every_named_transition_in_configs_is_in_the_registry():
    """Drivers may also name a calendar rate (``spec.CALENDAR_RATES``); programmes only transitions."""
    named = []
    for path in [CONFIGS / "drivers" / "default.yaml", *(CONFIGS / "interventions").glob("*.yaml")]:
        config = yaml.safe_load(path.read_text())
        entries = config.values() if path.parent.name == "drivers" else [config]
        for entry in entries:
            named += [t for t in entry.get("transitions", []) if t not in spec.CALENDAR_RATES]
            named += [effect["transition"] for effect in entry.get("effects", [])]
    assert named and set(named) <= set(spec.TRANSITIONS)
    assert set(spec.CALENDAR_RATES) <= set(spec.DRIVER_TARGETS) and not set(spec.CALENDAR_RATES) & set(spec.TRANSITIONS)


def test_hazard_model_has_a_ratio_field_for_every_dimension():
    assert set(states.DIMENSION_LEVELS) <= set(Hazard.model_fields)


def test_transition_rows_and_flows_are_consistent():
    for process in spec.PROCESSES:
        assert [t.row for t in process.transitions] == list(range(len(process.transitions))), process.name
        for transition in process.transitions:
            assert transition.flow is None or transition.flow in spec.FLOWS, transition.key
    health = spec.PROCESS["health"]
    for bit, condition in enumerate(states.CONDITIONS):
        assert health.transitions[2 * bit].name == f"{condition}_onset"
        assert health.transitions[2 * bit + 1].name == f"{condition}_recovery"


def test_every_flow_is_counted_somewhere():
    sources = "\n".join(path.read_text() for path in [*(PACKAGE / "processes").glob("*.py"), PACKAGE / "model.py"])
    named_by_transitions = {t.flow for t in spec.TRANSITIONS.values() if t.flow}
    uncounted = [flow for flow in spec.FLOWS if flow not in named_by_transitions and f'"{flow}"' not in sources]
    assert not uncounted


# ---------------------------------------------------------------------------- registry vs kernel


def _process_module(name: str):
    return importlib.import_module(f"sim.processes.{name}")


def test_kernel_calls_the_processes_in_registry_order():
    from sim.engine import kernel

    source = inspect.getsource(kernel.run_slots)
    calls = re.findall(r"(\w+)\.update\(person", source)
    assert calls == [process.name for process in spec.PROCESSES]


def test_each_process_module_reads_its_registry_entry():
    for process in spec.PROCESSES:
        module = _process_module(process.name)
        assert module.SPEC is process
        assert module.DRAWS == process.draws
        assert callable(module.update)


def _lanes_used(name: str) -> list[tuple[int, int]]:
    module = _process_module(name)
    source = inspect.getsource(module)
    used = []
    for draw, lane in re.findall(r"draws\[(\d+), i, (\w+)\]", source):
        if lane.isdigit():
            used.append((int(draw), int(lane)))
        else:
            bound = re.search(rf"for {lane} in range\((\w+)\)", source).group(1)
            used += [(int(draw), index) for index in range(int(getattr(module, bound)))]
    return used


def test_each_random_lane_is_used_once_and_declared():
    streams = [process.stream for process in spec.PROCESSES if process.stream]
    assert len(streams) == len(set(streams)), "a stream belongs to one process"
    for process in spec.PROCESSES:
        declared = [(lane.draw, lane.lane) for lane in process.lanes]
        assert len(declared) == len(set(declared)), process.name
        assert all(0 <= lane < 4 for _, lane in declared)
        used = _lanes_used(process.name)
        assert sorted(used) == sorted(declared), f"{process.name}: uses {sorted(used)}, declares {sorted(declared)}"


def test_processes_write_only_their_own_fields():
    owners: dict[str, str] = {}
    for process in spec.PROCESSES:
        for field in process.fields:
            assert field not in owners, f"{field} is owned by {owners[field]} and {process.name}"
            owners[field] = process.name
    assert set(owners) | set(spec.IDENTITY_FIELDS) == set(FIELDS)
    for process in spec.PROCESSES:
        source = inspect.getsource(_process_module(process.name))
        written = set(re.findall(r"person\.(\w+) = ", source))
        assert written <= set(process.fields), f"{process.name} writes {written - set(process.fields)}"


def test_process_updates_write_no_shared_array():
    for process in spec.PROCESSES:
        module = _process_module(process.name)
        for name, function in inspect.getmembers(module, callable):
            if getattr(function, "__module__", "") != module.__name__ or name in ("emigrate", "emigrate_slots"):
                continue
            source = inspect.getsource(getattr(function, "py_func", function))
            assert not re.search(r"\w+\[[^\]]*\] \+?= ", source), f"{module.__name__}.{name} writes an array"


# ---------------------------------------------------------------------------- encodings and metrics

ENCODERS = [
    (encoding.who_code, encoding.WHO_SHAPE),
    (encoding.health_code, encoding.HEALTH_SHAPE),
    (encoding.status_code, encoding.STATUS_SHAPE),
    (encoding.mortality_code, encoding.MORTALITY_SHAPE),
    (encoding.status_count_code, encoding.STATUS_COUNT_SHAPE),
    (encoding.health_count_code, encoding.HEALTH_COUNT_SHAPE),
    (encoding.entitlement_count_code, encoding.ENTITLEMENT_COUNT_SHAPE),
    (encoding.cell_code, encoding.CELL_SHAPE),
]


@pytest.mark.parametrize("encoder, shape", ENCODERS, ids=[encoder.__name__ for encoder, _ in ENCODERS])
def test_each_encoder_is_the_row_major_index_of_its_shape(encoder, shape):
    codes = [encoder(*index) for index in itertools.product(*(range(size) for size in shape))]
    assert codes == list(range(int(np.prod(shape))))


def test_every_stock_is_counted_from_one_histogram_and_counts_someone():
    from sim.recorder import ENTITLEMENT_INDICATORS, HEALTH_INDICATORS, STATUS_INDICATORS

    histograms = np.stack([indicators.sum(axis=0) > 0
                           for indicators in (STATUS_INDICATORS, HEALTH_INDICATORS, ENTITLEMENT_INDICATORS)])
    assert np.all(histograms.sum(axis=0) == 1), "each stock is defined on exactly one histogram"
    assert STATUS_INDICATORS[:, spec.STOCK["population"]].all()


def test_metric_names_are_unique_and_aggregate_as_their_kind():
    names = [*spec.ALL_METRICS, *spec.PROGRAMME_METRICS]
    assert len(names) == len(set(names)) == len(spec.METRICS)
    for name in ("incapacity_benefit_awards", "additional_job_outcomes", "intervention_referrals",
                 "health_benefit_spending_gbp", "left_work_for_health"):
        assert spec.aggregation(name) == "sum", name
    for name in ("population", "health_benefit_recipients", "inactive_long_term_sick"):
        assert spec.aggregation(name) == "mean", name
