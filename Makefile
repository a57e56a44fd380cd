# bodymap: make help lists the targets.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-test
RUN_STAMP := $(VENV)/.installed

export SDL_AUDIODRIVER ?= dummy
export PYGAME_HIDE_SUPPORT_PROMPT := 1

.DEFAULT_GOAL := help
.PHONY: help run test test-all bench validate calibrate check render clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

# `make run` installs the app alone; the other targets add the test extras on top.
$(RUN_STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "bodymap needs $(PYTHON) (Python 3.11) on PATH"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(RUN_STAMP) ## Install the app into .venv (no test extras) and open the painting window
	$(VENV)/bin/bodymap paint

test: $(STAMP) ## Install into .venv, check the layer contracts (.importlinter) and run the tests headless
	$(VENV)/bin/lint-imports
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) -m pytest -q

test-all: $(STAMP) ## Run every test, including the soak and fuzz markers
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) -m pytest -q -m ''

bench: $(STAMP) ## Measure the performance figures into bench/results.json and docs/performance.md
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) bench/run.py
	$(PY) bench/write_docs.py

validate: $(STAMP) ## Score the matcher on the validation set (vignettes + simulated cohorts); red-flag rates (docs/red-flag-rates.md)
	$(PY) -m bodymap.lab.validation --docs
	$(PY) -m bodymap.lab.calibration --docs
	$(PY) -m bodymap.flagrate --docs

calibrate: $(STAMP) ## Refit the temperature on the second cohort, then rewrite docs/validation.md
	$(PY) -m bodymap.lab.calibration --fit
	$(PY) -m bodymap.lab.validation --docs
	$(PY) -m bodymap.lab.calibration --docs

check: $(STAMP) ## Validate the atlas YAML and print its figures
	$(VENV)/bin/bodymap atlas check

render: $(STAMP) ## Render the atlas pictures into docs/
	SDL_VIDEODRIVER=dummy $(VENV)/bin/bodymap atlas render -o docs/images/atlas-regions.png --layer regions
	SDL_VIDEODRIVER=dummy $(VENV)/bin/bodymap atlas render -o docs/images/atlas-dermatomes.png --layer dermatomes

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .hypothesis build src/*.egg-info
