# Two commands for everyone:  make lab  (open the course)  and  make test  (run every notebook).
# Both create .venv and install the pinned dependencies on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# `make test ONLY=notebooks/01_why_fastapi.ipynb` runs one notebook, or one test file.
ONLY ?=

.PHONY: lab test test-student student execute clean

$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -e .
	@touch $(INSTALLED)

# JupyterLab refuses to run as root unless told; containers and some hubs run as root.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# JUPYTER_PATH puts this environment's `python3` kernel ahead of any older one in the user's
# own Jupyter folder, so the notebooks always run with the course's packages.
lab: $(INSTALLED)
	JUPYTER_PATH=$(CURDIR)/$(VENV)/share/jupyter $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(AS_ROOT) notebooks/

test: $(INSTALLED)
	$(BIN)/python -m pytest -n auto --dist loadfile $(ONLY)

# Runs every notebook's student copy (solutions taken out) top to bottom: no cell may fail.
test-student: $(INSTALLED)
	$(BIN)/python -m pytest -n auto --dist load -m student tests/test_student_copies_run.py

# Learners' copies of the notebooks, with every exercise solution taken out, in student/.
student: $(INSTALLED)
	$(BIN)/python tools/make_student_copy.py notebooks student

# Re-execute notebooks from a fresh kernel and save their outputs: make execute NB=notebooks/01_why_fastapi.ipynb
execute: $(INSTALLED)
	$(BIN)/python tools/execute_notebooks.py $(or $(NB),notebooks/*.ipynb)

clean:
	rm -rf $(VENV) student
