# Two commands for everyone:  make lab  (open the course)  and  make test  (run every notebook).
# Both create .venv and install the locked dependencies on first use.

PYTHON ?= python3
# Another Python gets a venv of its own: `make test PYTHON=python3.13` uses .venv-3.13
# (or name one: `make test PYTHON=python3.13 VENV=.venv-3.13`).
ifeq ($(origin PYTHON),command line)
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PYTHON_VERSION),)
$(error $(PYTHON) does not run: give a Python that does, e.g. PYTHON=$$(pyenv root)/versions/3.13.0/bin/python)
endif
VENV ?= .venv-$(PYTHON_VERSION)
ifneq ($(wildcard $(VENV)/bin/python),)
ifneq ($(shell $(VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'),$(PYTHON_VERSION))
$(error $(VENV) runs another Python than $(PYTHON); choose another VENV= or remove $(VENV))
endif
endif
endif
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# `make test ONLY=notebooks/01_why_fastapi.ipynb` runs one notebook, or one test file.
ONLY ?=
# The Pythons the course supports and tests: `make test-all-pythons`.
SUPPORTED_PYTHONS := 3.11 3.12 3.13

.PHONY: lab workshop-check workshop-lock handout handout-link binder-link test test-all-pythons test-student student progress execute bench stats lock clean item-store test-item-store item-store-image-check item-store-lock

# requirements.txt is the lock: every package, transitive ones included, pinned with its hashes.
# pip checks each hash; the course itself has no dependencies of its own and goes in after.
$(INSTALLED): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(INSTALLED)

# JupyterLab refuses to run as root unless told; containers and some hubs run as root.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# JupyterLab's settings for the course (jupyter/overrides.json): no news pop-up and no update
# check, notebooks listed first and in their natural order, the kernel started without asking.
# A hub or Binder image built with repo2docker gets the same file from postBuild.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_SETTINGS): jupyter/overrides.json $(INSTALLED)
	mkdir -p $(dir $@)
	cp jupyter/overrides.json $@

# JUPYTER_PATH puts this environment's `python3` kernel ahead of any older one in the user's
# own Jupyter folder, so the notebooks always run with the course's packages. LAB_ARGS passes more
# options to JupyterLab (make workshop-check opens `make lab` this way, with no browser).
lab: $(INSTALLED) $(LAB_SETTINGS)
	JUPYTER_PATH=$(CURDIR)/$(VENV)/share/jupyter $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(AS_ROOT) $(LAB_ARGS) notebooks/

test: $(INSTALLED)
	$(BIN)/python -m pytest -n auto --dist loadfile $(ONLY)

# `make test` on each supported Python in turn, each in its own .venv-3.X. A Python is taken from
# python3.X on the PATH, else from pyenv's versions (its shims answer only for selected versions).
test-all-pythons:
	@for version in $(SUPPORTED_PYTHONS); do \
	  python=$$(python$$version -c 'import sys; print(sys.executable)' 2>/dev/null \
	    || ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/$$version.*/bin/python 2>/dev/null | sort -V | tail -n 1); \
	  if [ -z "$$python" ]; then echo "Python $$version was not found: install it (e.g. pyenv install $$version)." >&2; exit 1; fi; \
	  echo "== Python $$version: $$python"; \
	  $(MAKE) --no-print-directory test PYTHON=$$python VENV=.venv-$$version ONLY="$(ONLY)" || exit 1; \
	done

# Runs every notebook's student copy (solutions taken out) top to bottom: no cell may fail.
test-student: $(INSTALLED)
	$(BIN)/python -m pytest -n auto --dist load -m student tests/test_student_copies_run.py

# Which exercises are done, as each check recorded them in DIR/.progress (notebooks, or student).
DIR ?= notebooks
progress: $(INSTALLED)
	$(BIN)/python tools/progress.py $(DIR)

# Learners' copies of the notebooks, with every exercise solution taken out, in student/.
student: $(INSTALLED)
	$(BIN)/python tools/make_student_copy.py notebooks student

# Re-execute notebooks from a fresh kernel and save their outputs: make execute NB=notebooks/01_why_fastapi.ipynb
execute: $(INSTALLED)
	$(BIN)/python tools/execute_notebooks.py $(or $(NB),notebooks/*.ipynb)

# Times the notebook suite against a floor of trivial notebooks, its slowest cells, and the server's
# start and stop. It only reports. `.venv/bin/python tools/bench.py --full` also times make test.
bench: $(INSTALLED)
	$(BIN)/python tools/bench.py

# Prose words and code lines per teaching minute for each lesson, core path and "Going further" apart.
stats:
	$(PYTHON) tools/stats.py

# Refreshes the lock (requirements.txt) from requirements.in, and environment.yml from the lock:
# one resolution valid on every supported Python and platform, against PyPI only (no pip or uv
# configuration, no local index). Locked versions stay as they are unless requirements.in needs
# another; `make lock UPGRADE=1` moves every unpinned package to its newest release.
UV_VERSION := 0.13.9
LOCK_VENV := .venv-lock
unexport UV_INDEX UV_INDEX_URL UV_DEFAULT_INDEX UV_EXTRA_INDEX_URL UV_FIND_LINKS UV_CONSTRAINT UV_OVERRIDE
lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(LOCK_VENV)/bin/uv --no-config --quiet pip compile requirements.in --output-file requirements.txt \
	  --universal --python-version $(firstword $(SUPPORTED_PYTHONS)) --generate-hashes --default-index https://pypi.org/simple \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
	$(PYTHON) -c "$$ENVIRONMENT_YML"

# environment.yml (conda, Binder) pins the lock's packages, without the hashes: conda hands its pip
# list to one `pip install`, and pip refuses `-e .` when the other requirements carry hashes.
define ENVIRONMENT_YML
import re
lock = open("requirements.txt").read()
pins = [name + "==" + version + (" ; " + marker if marker else "")
        for name, version, marker in re.findall(r"^(\S+)==(\S+?)(?: ; (.+?))? \\$$", lock, re.M)]
head = open("environment.yml").read().split("  - pip:\n")[0]
open("environment.yml", "w").write(head + "  - pip:\n" + "".join(f"      - {pin}\n" for pin in pins + ["-e ."]))
endef
export ENVIRONMENT_YML

clean:
	rm -rf $(VENV) $(LOCK_VENV) $(ITEM_STORE_VENV) $(WORKSHOP_VENV) tools/workshop/node_modules student

# A workshop rehearsed on this machine (tools/workshop_check.py): `make lab` opened in headless
# Chromium, then a real JupyterHub on 127.0.0.1, with its proxy from npm, and two learners logged
# in at once, handed the student copies by an nbgitpuller link, each running every lesson and
# opening /docs through the hub's proxy with no internet. It prints each step with its time, and
# each learner's memory and CPU per lesson. It needs Debian's chromium (as root: apt-get install
# chromium) and node with npm; its Python tools have their own lock. WORKSHOP_ARGS passes options,
# e.g. WORKSHOP_ARGS="--hub /path/to/another/jupyterhub --lessons 00_setup_check.ipynb".
WORKSHOP_VENV := .venv-workshop
CHROMIUM ?= /usr/bin/chromium
workshop-check: $(INSTALLED) $(LAB_SETTINGS)
	@test -x $(CHROMIUM) || { echo "Chromium is missing: as root, apt-get install chromium (or give CHROMIUM=/path/to/chromium)." >&2; exit 1; }
	@command -v npm > /dev/null || { echo "npm is missing: install Node.js 20 or newer with npm." >&2; exit 1; }
	test -x $(WORKSHOP_VENV)/bin/python || $(PYTHON) -m venv $(WORKSHOP_VENV)
	$(WORKSHOP_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r tools/workshop/requirements.txt
	npm ci --prefix tools/workshop --no-audit --no-fund --loglevel=error
	$(WORKSHOP_VENV)/bin/python tools/workshop_check.py --venv $(VENV) --chromium "$(CHROMIUM)" $(WORKSHOP_ARGS)

# The learners' copies as a git repository to push where the hub can clone it (INSTRUCTORS.md):
# make handout DIR=../fastapi-handout, then make handout-link HUB=https://hub.example.org REPO=https://github.com/you/fastapi-handout
handout: $(INSTALLED)
	@test -n "$(DIR)" -a "$(DIR)" != notebooks || { echo "Name the handout's folder: make handout DIR=../fastapi-handout" >&2; exit 1; }
	$(BIN)/python tools/handout.py build "$(DIR)"
handout-link:
	@test -n "$(HUB)" -a -n "$(REPO)" || { echo "Give the hub and the handout's repository: make handout-link HUB=https://hub.example.org REPO=https://github.com/you/fastapi-handout" >&2; exit 1; }
	@$(PYTHON) tools/handout.py link --hub "$(HUB)" --repo "$(REPO)"
# The Binder link to the course itself: make binder-link REPO=https://github.com/you/fastapi-course [REF=a-tag]
binder-link:
	@test -n "$(REPO)" || { echo "Give the course's public repository: make binder-link REPO=https://github.com/you/fastapi-course" >&2; exit 1; }
	@$(PYTHON) tools/handout.py binder --repo "$(REPO)" --ref "$(or $(REF),HEAD)"

# Refreshes the rehearsal's own lock, tools/workshop/requirements.txt, as `make lock` does the course's.
workshop-lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(LOCK_VENV)/bin/uv --no-config --quiet pip compile tools/workshop/requirements.in --output-file tools/workshop/requirements.txt \
	  --universal --python-version $(firstword $(SUPPORTED_PYTHONS)) --generate-hashes --default-index https://pypi.org/simple \
	  --custom-compile-command "make workshop-lock"

# The capstone service, item_store: its migrations, then the app on http://127.0.0.1:8000 with a
# SQLite file (item_store.db) unless DATABASE_URL names another database. Ctrl+C stops it.
item-store: $(INSTALLED)
	$(BIN)/alembic -c item_store/alembic.ini upgrade head
	$(BIN)/uvicorn item_store.main:app --host 127.0.0.1 --port 8000 --timeout-graceful-shutdown 5

# item_store's own tests, with coverage printed (under 90 % fails): on SQLite, or on the
# PostgreSQL database ITEM_STORE_TEST_DATABASE_URL names (it is emptied).
test-item-store: $(INSTALLED)
	$(BIN)/python -m coverage run --rcfile=item_store/.coveragerc -m pytest item_store/tests
	$(BIN)/python -m coverage report --rcfile=item_store/.coveragerc

# The image's environment: item_store/requirements.txt (its own lock) on Python 3.12, the image's
# Python, when there is one; then the Dockerfile's command run in it for real, 2 workers.
ITEM_STORE_VENV ?= .venv-item-store
ITEM_STORE_PYTHON ?= $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null \
  || ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.12.*/bin/python 2>/dev/null | sort -V | tail -n 1)
$(ITEM_STORE_VENV)/.installed: item_store/requirements.txt
	$(or $(ITEM_STORE_PYTHON),$(PYTHON)) -m venv $(ITEM_STORE_VENV)
	$(ITEM_STORE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r item_store/requirements.txt
	@touch $@
item-store-image-check: $(ITEM_STORE_VENV)/.installed
	$(ITEM_STORE_VENV)/bin/python item_store/scripts/run_image_command.py --bin-dir $(ITEM_STORE_VENV)/bin

# Refreshes item_store/requirements.txt from item_store/requirements.in, at the course lock's versions.
item-store-lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(LOCK_VENV)/bin/uv --no-config --quiet pip compile item_store/requirements.in --constraint requirements.txt \
	  --output-file item_store/requirements.txt --universal --python-version 3.12 --generate-hashes \
	  --default-index https://pypi.org/simple --custom-compile-command "make item-store-lock"
