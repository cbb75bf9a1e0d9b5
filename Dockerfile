# Production image: gunicorn serving the app; DATABASE_URL should point at PostgreSQL.
# Run the scheduler as a second container from the same image: `docker run IMAGE inventory scheduler`.
FROM node:20-bookworm-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 INVENTORY_ENV=production VENDOR_DIR=/app/node_modules
WORKDIR /app
COPY pyproject.toml README.md ./
COPY inventory ./inventory
COPY labels ./labels
COPY scheduler ./scheduler
COPY migrations ./migrations
RUN pip install --no-cache-dir -e .
COPY --from=vendor /build/node_modules ./node_modules
RUN useradd --system --uid 10001 inventory && mkdir -p /app/instance && chown inventory /app/instance
USER inventory
EXPOSE 8000
CMD ["sh", "-c", "inventory db upgrade && exec gunicorn -w ${WEB_CONCURRENCY:-4} -b 0.0.0.0:8000 'inventory:create_app()'"]
