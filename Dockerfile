# Production image: one image for every process (see compose.yaml and README "Running it in production").
#   web        the default CMD: gunicorn with gunicorn.conf.py on port 8000
#   scheduler  `inventory scheduler`
#   release    `inventory db upgrade`, once per deployment before the new web and scheduler start;
#              never at every start (several web containers would race to migrate, and a failed
#              migration would become a crash loop)
# DATABASE_URL should point at PostgreSQL (production refuses SQLite).

# --- Python: the project as a wheel, and exactly the runtime dependencies the lock file pins --------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /opt/venv
# The lock first: its layer is rebuilt only when the pins change.
COPY requirements-runtime.lock ./
RUN /opt/venv/bin/pip install --no-deps -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY inventory ./inventory
COPY labels ./labels
COPY scheduler ./scheduler
COPY migrations ./migrations
# --no-deps: the dependencies are the lock's, above, never whatever pip would resolve today.
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-deps /wheels/inventory-*.whl \
    && /opt/venv/bin/pip check

# --- Browser libraries (Swagger UI, the barcode reader), from the npm lock file, without dev tools ---
FROM node:20-bookworm-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
COPY inventory/web/sass ./inventory/web/sass
# The service worker precaches the static files and the /offline shell (its templates give its revision).
COPY inventory/web/static ./inventory/web/static
COPY inventory/web/templates ./inventory/web/templates
COPY inventory/web/pwa ./inventory/web/pwa
# All packages first: npm's sass (a devDependency) compiles GOV.UK Frontend's styles and workbox-build (one
# too) generates the service worker; then the dev tools go.
RUN npm ci --no-audit --no-fund --ignore-scripts \
    && mkdir -p node_modules/.build \
    && node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules --quiet-deps \
       inventory/web/sass/govuk.scss node_modules/.build/govuk.css \
    && node inventory/web/pwa/build-service-worker.mjs node_modules/.build \
    && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
    && test -s node_modules/.build/govuk.css && test -s node_modules/.build/service-worker.js

# --- Runtime: no compilers, no source tree, no pip install at start; a user that owns nothing of the code
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    INVENTORY_ENV=production \
    VENDOR_DIR=/app/node_modules
# pg_dump and pg_restore for `inventory backup` and `inventory restore` (Debian 12's are PostgreSQL 15's);
# Pango and a font for WeasyPrint, which makes the tagged PDFs (handover records, certificates).
# Pango and a font for WeasyPrint, which makes the tagged PDFs (handover records, certificates).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin inventory \
    && install -d -o inventory -m 700 /var/lib/inventory/files
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=vendor /build/node_modules ./node_modules
COPY gunicorn.conf.py ./
# Flask's instance folder for an installed package is <prefix>/var/inventory-instance; the app creates
# it at start, so it must be the app user's (nothing is kept there when DATABASE_URL is PostgreSQL).
RUN mkdir -p /opt/venv/var/inventory-instance && chown inventory /opt/venv/var/inventory-instance
USER inventory
EXPOSE 8000
# curl is not in the slim image: Python's own urllib asks the health endpoint (200 when the database answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status == 200 else 1)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
