# Aftersales: `make demo` to try it, `make test` to test it.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo test test-postgres lint messages browser mailserver bench-deps bench bench-intake clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/aftersales migrate --noinput
	$(BIN)/aftersales load_calendar
	$(BIN)/aftersales createcachetable
	$(BIN)/aftersales seed_demo
	@$(BIN)/aftersales demo_logins --url http://$(HOST):$(PORT)/
	$(BIN)/aftersales runserver $(HOST):$(PORT)

# Chromium (Debian package) drives the end-to-end tests; installed once, never downloaded by Playwright.
browser:
	@command -v chromium >/dev/null 2>&1 || /usr/bin/chromium --version >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium could not be installed: end-to-end tests will report it"

# Dovecot (Debian package) is the real IMAP server the mail intake tests poll; installed once.
mailserver:
	@test -x /usr/sbin/dovecot || command -v dovecot >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) || \
	  echo "dovecot-imapd could not be installed: the IMAP intake tests will be skipped"

test: install browser mailserver
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# Benchmarks (bench/, results in bench/RESULTS.md). wrk is the Debian package, installed once;
# the intake benchmark needs PostgreSQL at 127.0.0.1:5432 as user postgres. BENCH_ARGS: by
# default a cProfile of 200 creates is added; e.g. BENCH_ARGS="--seconds 5 --no-record".
BENCH_ARGS ?= --profile 200
bench-deps:
	@command -v wrk >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || \
	  (echo "wrk could not be installed: install the Debian package wrk" >&2; exit 2)

bench: bench-intake

bench-intake: install bench-deps
	$(BIN)/python bench/intake.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

messages: install
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
