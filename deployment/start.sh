#!/usr/bin/env bash
# Start Kebabalab Orders in production on Linux (systemd runs this; see kebabalab.service).
# Reads settings from KEBABALAB_ENV (default /etc/kebabalab/kebabalab.env), migrates the database, then serves.
set -euo pipefail
APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
ENV_FILE="${KEBABALAB_ENV:-/etc/kebabalab/kebabalab.env}"
WORKERS="${KEBABALAB_WORKERS:-1}"
cd "$APP_DIR"
if [ -f "$ENV_FILE" ]; then
  set -a; . "$ENV_FILE"; set +a
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet -r requirements.txt
fi
.venv/bin/python -m kebabalab check-menu
.venv/bin/python -m kebabalab init-db
exec .venv/bin/python -m kebabalab serve --workers "$WORKERS"
