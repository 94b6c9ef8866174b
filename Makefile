# Two entry points for a fresh machine: `make demo` and `make test`.
# Both install what they need first; installing twice is quick.

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SYSTEM_PYTHON ?= python3

.PHONY: install install-browser demo test test-python test-js clean

$(VENV)/.installed: pyproject.toml
	$(SYSTEM_PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium for the browser tests; never a browser download.
install-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v node >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }

demo: install
	$(VENV)/bin/lms-telemetry demo

test: install install-browser
	bash scripts/test

clean:
	rm -rf $(VENV) test-artifacts
