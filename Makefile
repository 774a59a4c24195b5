# The two commands of the README:
#   make lab    set everything up and open JupyterLab in the learner's workspace
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: lab setup test clean

# The learner's Lab: start.py (which also runs without make, on every platform)
# makes .venv, installs the course, releases the workspace and starts JupyterLab
# with deploy/learner first in JUPYTER_CONFIG_PATH: Validate and the assignment
# list, no instructor tools. Extra JupyterLab options go in LAB_ARGS.
lab:
	$(PYTHON) start.py $(LAB_ARGS)

setup:
	$(PYTHON) start.py --setup-only

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

$(VENV)/.installed: pyproject.toml
	$(PYTHON) start.py --install-only

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Only what `make` rebuilds: the environment and build products. Never course/
# (the class's collected work, gradebook, feedback, audit: `python -m grading
# delete-class-data` deletes those, after asking) nor workspace/ (the learner's work).
clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
	find . -name __pycache__ -type d -not -path './course/*' -not -path './workspace/*' \
	  -prune -exec rm -rf {} +
