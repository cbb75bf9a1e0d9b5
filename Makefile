# make run: set everything up and serve the app with demo data on http://127.0.0.1:5000
# make test: set everything up and run every test (again on PostgreSQL when TEST_DATABASE_URL is set)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install vendor browser bench clean lock check contract image-check

# Exactly the versions in requirements.lock (what CI tested), then the project itself.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing dependencies in pyproject.toml: resolve and pin them again. requirements.lock is what
# `make install` and CI use (with the test tools); requirements-runtime.lock, the same versions without
# them, is what the container image installs.
lock: $(STAMP)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11
	$(BIN)/uv pip compile pyproject.toml -c requirements.lock -o requirements-runtime.lock --python-version 3.11

# The quality gate CI runs: lint, formatting and types.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

install: $(STAMP)

# Schemathesis over every API operation, once per role, against a live server on a fresh database:
# no server errors and no answer outside the OpenAPI document.
contract: install vendor
	$(BIN)/python tests/contract/fuzz_api.py

# What the container image does, rehearsed without Docker (this machine may have no daemon or no Docker
# Hub): the wheel on the runtime lock, the release step, gunicorn and the scheduler in production settings
# on IMAGE_DATABASE_URL (an empty PostgreSQL database), their stop on SIGTERM, and `docker compose config -q`.
image-check: vendor
	$(PYTHON) tests/deploy/rehearse_image.py

# Browser libraries from the npm registry, never a CDN: Swagger UI for the API documentation, and the
# barcode reader (barcode-detector + zxing-wasm) behind the camera button, GOV.UK Frontend for every page.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch node_modules/.installed

# GOV.UK Frontend's styles compiled with our settings (system fonts, no crown): see inventory/web/sass/.
STYLES := node_modules/.build/govuk.css
$(STYLES): node_modules/.installed $(wildcard inventory/web/sass/*.scss)
	@mkdir -p $(dir $@)
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
		inventory/web/sass/govuk.scss $@

vendor: node_modules/.installed $(STYLES)

# The scheduler runs as its own process beside the development server, and stops with it.
run: install vendor
	$(BIN)/inventory db upgrade
	$(BIN)/inventory seed-demo
	$(BIN)/inventory scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/inventory run --host 127.0.0.1 --port 5000

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium for the browser tests"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install vendor browser
	env -u TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; $(BIN)/pytest -q; \
	fi

bench: install
	$(BIN)/python bench/scan_lookup.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
