# The two commands of the README:
#   make lab    set everything up and open JupyterLab in the learner's workspace
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# JupyterLab's own settings for this environment: no news or update checks,
# so the course works offline.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: lab setup test clean

# Jupyter refuses to run as root unless told; containers often run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The learner's Lab: Validate and the assignment list, but no instructor tools
# (formgrader, course list, "Create Assignment"). deploy/learner/ is a Jupyter
# config directory; JUPYTER_CONFIG_PATH puts it ahead of the user's and the
# venv's config, which stay as they are: plain `.venv/bin/jupyter lab` is still
# the instructor's Lab. tests/test_learner_lab.py reads this recipe (make -n lab).
LEARNER_CONFIG := deploy/learner

lab: setup
	JUPYTER_CONFIG_PATH='$(CURDIR)/$(LEARNER_CONFIG)'"$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --ServerApp.root_dir=workspace $(ROOT_FLAG) $(LAB_ARGS)

setup: $(VENV)/.installed
	$(BIN)/python -m grading release

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	mkdir -p $(dir $(LAB_SETTINGS))
	cp $(LEARNER_CONFIG)/overrides.json $(LAB_SETTINGS)
	touch $@

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
