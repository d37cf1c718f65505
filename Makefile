# The two commands of a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean postgres-binaries mail-server-binaries

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/helpdesk demo

# The PostgreSQL contract tests start their own throwaway server from the
# machine's binaries; on a CI machine without them (as root), install them.
postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || true

# The IMAP source tests start their own throwaway Dovecot (tests/dovecot_server.py);
# on a CI machine without it (as root), install it.
mail-server-binaries:
	@command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || \
	  { [ -n "$$CI" ] && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; } || true

# The whole suite runs on every core (pytest-xdist: one worker per logical CPU, idle
# workers steal queued tests from busy ones); `make test PYTEST_WORKERS=0` runs
# it in one process. A plain `pytest tests/unit/test_sla_queues.py` stays in one process.
PYTEST_WORKERS ?= logical
test: $(STAMP) postgres-binaries mail-server-binaries
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

bench: $(STAMP)
	$(BIN)/python bench/worktime.py
	$(BIN)/python bench/sla_report.py --tickets 100000
	$(BIN)/python bench/forget.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/desk.py --tickets 100000

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis demo.sqlite3
