#!/bin/sh
# Update Kebabalab Orders to another version, switching back by itself if the new one fails its checks.
#   sudo deployment/update.sh /path/to/kebabalab-1.2.0-py3-none-any.whl
#   sudo deployment/update.sh v1.2.0 --repo https://github.com/<owner>/kebabalab.git
# Every step is `kebabalab update` (see `kebabalab update --help` and deployment/README.md).
set -eu
ROOT="${KEBABALAB_ROOT:-/opt/kebabalab}"
ENV_FILE="${KEBABALAB_ENV:-/etc/kebabalab/kebabalab.env}"
STATE="${KEBABALAB_STATE:-/var/lib/kebabalab}"
if [ "$#" -lt 1 ]; then
    echo "usage: sudo $0 VERSION [kebabalab update options]  (VERSION: a wheel file or a git tag)" >&2
    exit 2
fi
if [ ! -r "$ENV_FILE" ]; then
    echo "update: cannot read $ENV_FILE (run with sudo)" >&2
    exit 2
fi
set -a; . "$ENV_FILE"; set +a
version="$1"; shift
if [ -e "$version" ]; then
    version="$(cd "$(dirname "$version")" && pwd)/$(basename "$version")"  # a wheel or folder, before the cd
fi
cd "$STATE"
status=0
"$ROOT/current/venv/bin/kebabalab" update "$version" --root "$ROOT" "$@" || status=$?
# The backup and the migration ran as root: the service user must still own its database and backups.
chown -R kebabalab:kebabalab "$STATE"
exit "$status"
