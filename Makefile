# Two commands on a fresh machine with python3 and make:  make run   and   make test
# Set-up (the .venv with sim and its dependencies) happens automatically on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FULL ?=
SWEEP_DIR ?= outputs/run
RUN_SCENARIOS ?= baseline,announced_2025
ifeq ($(FULL),1)
SEEDS ?= 0,1,2,3,4
RUN_DRAWS ?= 0,1,2,3,4,5,6,7,8,9
else
SEEDS ?= 0,1,2
RUN_DRAWS ?= 0,1,2
endif
BRIEFING ?= outputs/briefing.html
REFORMS_DIR ?= outputs/reforms
RUN_POLICIES ?= pre_2025,spring_statement_2025,concessions_june_2025,uc_act_2025,green_paper_under_22
ARGS ?=

SCENARIO_DIR ?= outputs/scenarios
SCENARIOS ?= baseline,announced_2025,national_rollout_2026,obesity_at_scale,combined
PROJECTION_DIR ?= outputs/projections
SENSITIVITY_DIR ?= outputs/sensitivity
SENSITIVITY_SCENARIO ?= announced_2025
SENSITIVITY_SEEDS ?= 0,1
DRAWS ?= 0,1,2,3,4,5,6,7,8,9

.PHONY: install run test test-slow test-all bench bench-full calibrate reforms scenarios sensitivity projections report update-baseline clean clean-cache help

help:
	@echo "make run        set up; $(RUN_SCENARIOS) over calibration draws $(RUN_DRAWS) x seeds $(SEEDS) into $(SWEEP_DIR),"
	@echo "                the appraisal against the baseline, charts, the benefit-rule packages (make reforms)"
	@echo "                and the briefing $(BRIEFING) (about 4 minutes on 2 cores)"
	@echo "make run FULL=1 the same over 10 draws x 5 seeds (100 runs)"
	@echo "make reforms    the benefit-rule packages $(RUN_POLICIES) x seeds $(SEEDS) into $(REFORMS_DIR), against pre_2025"
	@echo "make test       set up and run the test suite (slow tests excluded)"
	@echo "make install    only set up .venv (the package with its test and cluster extras)"
	@echo "make test-slow  run only the slow tests;  make test-all  runs everything"
	@echo "make bench      agent-months per second and memory at 100k, 1m and 10m people"
	@echo "make bench-full also runs the full 37m population"
	@echo "make calibrate  fit drivers and structure to published 2019-2024 figures, then align the projection (40-100 minutes on 2 cores)"
	@echo "make scenarios  every scenario x 3 seeds, charts, the appraisal against the baseline, the benchmark table and the tornado"
	@echo "make sensitivity  the appraisal of $(SENSITIVITY_SCENARIO) with each assumption at its low and high end: the tornado"
	@echo "make projections  baseline x calibration draws x projection assumptions, with intervals"
	@echo "make update-baseline  rewrite tests/golden/baseline.csv (only for a deliberate change of results)"

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,cluster]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sim -m scenario=$(RUN_SCENARIOS) calibration.draw=$(RUN_DRAWS) seed=$(SEEDS) run.write_panel=false hydra.sweep.dir=$(SWEEP_DIR) $(ARGS)
	$(BIN)/python -m sim.report $(SWEEP_DIR) > /dev/null
	$(BIN)/python -m sim.compare $(SWEEP_DIR) > /dev/null
	$(BIN)/python -m sim -m policy=$(RUN_POLICIES) seed=$(SEEDS) run.write_panel=false hydra.sweep.dir=$(REFORMS_DIR) $(ARGS)
	$(BIN)/python -m sim.reforms $(REFORMS_DIR) > /dev/null
	$(BIN)/python -m sim.briefing $(SWEEP_DIR) --output $(BRIEFING) --reforms $(REFORMS_DIR)

reforms: $(STAMP)
	$(BIN)/python -m sim -m policy=$(RUN_POLICIES) seed=$(SEEDS) run.write_panel=false hydra.sweep.dir=$(REFORMS_DIR) $(ARGS)
	$(BIN)/python -m sim.reforms $(REFORMS_DIR)

report: $(STAMP)
	$(BIN)/python -m sim.report $(SWEEP_DIR)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(ARGS)

test-slow: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m slow $(ARGS)

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "slow or not slow" $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m sim.bench $(ARGS)

bench-full: $(STAMP)
	$(BIN)/python -m sim.bench --full $(ARGS)

calibrate: $(STAMP)
	$(BIN)/python -m sim.calibration $(ARGS)
	$(BIN)/python -m sim.alignment

scenarios: $(STAMP)
	$(BIN)/python -m sim -m scenario=$(SCENARIOS) seed=$(SEEDS) hydra.sweep.dir=$(SCENARIO_DIR) $(ARGS)
	$(BIN)/python -m sim.report $(SCENARIO_DIR)
	$(BIN)/python -m sim.compare $(SCENARIO_DIR)
	$(MAKE) --no-print-directory sensitivity

sensitivity: $(STAMP)
	$(BIN)/python -m sim -m scenario=baseline,$(SENSITIVITY_SCENARIO) 'sensitivity=glob(*)' seed=$(SENSITIVITY_SEEDS) hydra.sweep.dir=$(SENSITIVITY_DIR) $(ARGS)
	$(BIN)/python -m sim.sensitivity $(SENSITIVITY_DIR)

projections: $(STAMP)
	$(BIN)/python -m sim -m calibration.draw=$(DRAWS) projection=aligned,free,trend,pre_pandemic seed=0 hydra.sweep.dir=$(PROJECTION_DIR) $(ARGS)
	$(BIN)/python -m sim.projections $(PROJECTION_DIR)

update-baseline: $(STAMP)
	$(BIN)/python -m tests.golden_baseline

clean-cache:
	rm -rf sim/__pycache__/numba
	find sim -name '*.nbi' -delete -o -name '*.nbc' -delete

clean: clean-cache
	rm -rf outputs/* $(VENV) .pytest_cache
	touch outputs/.gitkeep
