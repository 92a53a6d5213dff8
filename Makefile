# Two commands do all the set-up on a fresh machine:
#   make run   - virtualenv, install, database, then serve on http://127.0.0.1:5000 (SQLite, SMS to the log)
#   make test  - virtualenv, install, then every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install init-db tools check-tools bench clean screenshots

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

init-db: install
	$(BIN)/python -m kebabalab init-db

# A local trial: no webhook credential needed, and the order board's password is "kebabalab" unless set.
TRIAL := KEBABALAB_ALLOW_UNAUTHENTICATED=$${KEBABALAB_ALLOW_UNAUTHENTICATED:-1} STAFF_PASSWORD=$${STAFF_PASSWORD:-kebabalab}
BOARD := from kebabalab.config import load_settings; s = load_settings(); \
	print(f"Order board: http://{s.host}:{s.port}/board  (staff password: {s.staff_password})")

run: init-db
	@$(TRIAL) $(BIN)/python -c '$(BOARD)'
	$(TRIAL) $(BIN)/kebabalab serve

test: install
	sh scripts/test-services.sh
	$(BIN)/python -m pytest

tools: install
	$(BIN)/python -m kebabalab export-tools

check-tools: install
	$(BIN)/python -m kebabalab export-tools --check

# README's pictures of the board (a dozen orders, a 1024x768 tablet and a 390x844 phone), in headless Chromium.
screenshots: install
	sh scripts/test-services.sh
	$(BIN)/python -m tests.board_scene docs/images

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
