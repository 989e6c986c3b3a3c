# 银政通 kiosk — two commands: `make run` (the kiosk on simulated devices with the embedded
# platform) and `make test` (the whole suite, UI tests under Xvfb). Both install what is missing
# first: Debian packages (as root, or through sudo), a virtual environment, and the package.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
APT_PACKAGES := python3-venv xvfb xauth x11-utils libzbar0 fonts-noto-cjk fonts-wqy-zenhei libgl1 \
  libgl1-mesa-dri libglib2.0-0 libmtdev1 poppler-utils espeak-ng cups cups-client cups-bsd \
  printer-driver-cups-pdf chromium chromium-driver postgresql
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | md5sum | cut -c1-10)
XVFB := xvfb-run -a -s "-screen 0 1920x1080x24 -nolisten tcp"
PYTEST_ARGS ?=
PYTEST_WORKERS ?= 2  # pytest-xdist, one file to a worker: the UI tests mostly wait, the other core works

.PHONY: run test system install bench clean

run: install
	$(VENV)/bin/yzt demo

test: install
	$(XVFB) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(XVFB) $(VENV)/bin/yzt bench

install: system $(STAMP)

system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): setup.cfg pyproject.toml
	rm -f $(VENV)/.installed-*
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip setuptools wheel
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) demo-output build *.egg-info .pytest_cache
