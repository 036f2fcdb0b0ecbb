# The app's one image: gunicorn serves it, and the same image runs the task worker and migrations
# (see docker-compose.yml).
FROM python:3.13-slim

# uv, pinned to the version that wrote uv.lock, from its official image.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH \
    PRIVATE_STORAGE_ROOT=/var/lib/promotions/private

# The packet PDF's fonts (Typst reads them from these packages' folders; config/settings.py):
# DejaVu with its obliques, and Droid's fallback for the scripts DejaVu lacks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-dejavu-core fonts-dejavu-extra fonts-droid-fallback \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Settings refuse to start in production without these; collectstatic uses none of them, so
# build-only values do, and the real ones come from the environment at run time.
RUN DEBUG=false \
    SECRET_KEY=build-only-never-used-at-run-time-0123456789abcdefghijklmnop \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    python manage.py collectstatic --no-input --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p "$PRIVATE_STORAGE_ROOT" \
    && chown app "$PRIVATE_STORAGE_ROOT"
USER app

EXPOSE 8000
# gunicorn runs WEB_CONCURRENCY workers: about two per core, so three suit a small machine.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--timeout", "60", "--access-logfile", "-"]
