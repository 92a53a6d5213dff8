#!/bin/sh
# Install Kebabalab Orders on a Debian or Ubuntu server from this checkout, as root:
#
#   sudo sh deployment/install.sh [--staff-password PW] [--public-url https://orders.example.com]
#
# It makes the service user, a release under /opt/kebabalab/releases/<version>/ with its own venv (pip installs
# the pinned requirements.txt from PyPI; the code comes from this checkout), /etc/kebabalab/kebabalab.env with
# fresh secrets, the database and the shop's files under /var/lib/kebabalab, and the systemd units; then starts
# the service when systemd runs this machine. It asks nothing. Running it again changes nothing that is
# already right: an existing setting, menu or database is never overwritten.
#
# Flags (every path can be moved, for tests and unusual servers):
#   --staff-password PW   the order board's password (default: generated and printed once)
#   --public-url URL      the HTTPS address Vapi calls, e.g. https://orders.example.com (PUBLIC_URL)
#   --user NAME           service user (kebabalab)     --python PATH    Python 3.11+ (/usr/bin/python3)
#   --opt-dir DIR         /opt/kebabalab               --etc-dir DIR    /etc/kebabalab
#   --state-dir DIR       /var/lib/kebabalab           --unit-dir DIR   /etc/systemd/system
#   --bin-dir DIR         where the `kebabalab` command goes (/usr/local/bin)
#   --no-apt              never apt-get (fail instead when python3-venv is missing)
#   --no-start            install the units but do not enable or start them
set -eu

SERVICE_USER=kebabalab
PYTHON=/usr/bin/python3
OPT_DIR=/opt/kebabalab
ETC_DIR=/etc/kebabalab
STATE_DIR=/var/lib/kebabalab
UNIT_DIR=/etc/systemd/system
BIN_DIR=/usr/local/bin
STAFF_PASSWORD_GIVEN=""
PUBLIC_URL_GIVEN=""
USE_APT=1
START=1

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }
need_value() { [ "$#" -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see the top of deployment/install.sh)"; }

while [ "$#" -gt 0 ]; do
    case "$1" in
        --staff-password) need_value "$@"; STAFF_PASSWORD_GIVEN=$2; shift 2 ;;
        --public-url) need_value "$@"; PUBLIC_URL_GIVEN=${2%/}; shift 2 ;;
        --user) need_value "$@"; SERVICE_USER=$2; shift 2 ;;
        --python) need_value "$@"; PYTHON=$2; shift 2 ;;
        --opt-dir) need_value "$@"; OPT_DIR=${2%/}; shift 2 ;;
        --etc-dir) need_value "$@"; ETC_DIR=${2%/}; shift 2 ;;
        --state-dir) need_value "$@"; STATE_DIR=${2%/}; shift 2 ;;
        --unit-dir) need_value "$@"; UNIT_DIR=${2%/}; shift 2 ;;
        --bin-dir) need_value "$@"; BIN_DIR=${2%/}; shift 2 ;;
        --no-apt) USE_APT=0; shift ;;
        --no-start) START=0; shift ;;
        -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see the top of deployment/install.sh)" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "run me as root: sudo sh deployment/install.sh"
SOURCE=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$SOURCE/pyproject.toml" ] && [ -d "$SOURCE/kebabalab" ] || die "run me from a Kebabalab checkout ($SOURCE)"
case "$PUBLIC_URL_GIVEN" in ""|https://*) ;; *) die "--public-url must start with https:// (Vapi calls HTTPS only)" ;; esac
case "$STAFF_PASSWORD_GIVEN" in *[!A-Za-z0-9._~+=@%-]*) die "--staff-password: letters, digits and ._~+=@%- only" ;; esac
ENV_FILE="$ETC_DIR/kebabalab.env"

# --- Python with venv -------------------------------------------------------------------------------------
if ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    [ "$USE_APT" -eq 1 ] && command -v apt-get >/dev/null 2>&1 \
        || die "$PYTHON must be Python 3.11 or newer with venv (Debian/Ubuntu: apt-get install python3 python3-venv)"
    say "installing python3 and python3-venv from the distribution"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' \
        || die "$PYTHON is older than 3.11; install a newer Python and pass --python"
fi

# --- The service user -------------------------------------------------------------------------------------
if id -u "$SERVICE_USER" >/dev/null 2>&1; then
    say "user $SERVICE_USER exists"
else
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
        --comment "Kebabalab Orders" "$SERVICE_USER"
    say "created system user $SERVICE_USER"
fi
GROUP=$(id -gn "$SERVICE_USER")

# --- The release: this checkout's code and its own venv, read-only for the service ------------------------
VERSION=$("$PYTHON" -c 'import re, sys; print(re.search(r"__version__ = \"([^\"]+)\"", open(sys.argv[1]).read()).group(1))' \
    "$SOURCE/kebabalab/version.py")
if command -v git >/dev/null 2>&1 && git -C "$SOURCE" rev-parse --short HEAD >/dev/null 2>&1; then
    VERSION="$VERSION-$(git -C "$SOURCE" rev-parse --short HEAD)"
    if [ -n "$(git -C "$SOURCE" status --porcelain --untracked-files=no)" ]; then  # uncommitted changes: named by them
        VERSION="$VERSION-modified-$(git -C "$SOURCE" diff HEAD | sha256sum | cut -c1-8)"
    fi
fi
RELEASE="$OPT_DIR/releases/$VERSION"
if [ -f "$RELEASE/.installed" ]; then
    say "release $VERSION is installed ($RELEASE)"
else
    say "building release $VERSION in $RELEASE (pip installs requirements.txt from PyPI)"
    # Built in place and marked complete last: a build cut short is rebuilt, and `current` moves only after.
    rm -rf "$RELEASE"
    mkdir -p "$RELEASE"
    # The checkout's own files, without its venv, caches or databases.
    (cd "$SOURCE" && tar -cf - --exclude=./.git --exclude=./.venv --exclude=./data --exclude='*.pyc' \
        --exclude=__pycache__ --exclude=.pytest_cache --exclude=.hypothesis --exclude='*.egg-info' --exclude=./build \
        --exclude=./.env .) | (cd "$RELEASE" && tar -xf -)
    "$PYTHON" -m venv "$RELEASE/venv"
    "$RELEASE/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$RELEASE/requirements.txt"
    "$RELEASE/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$RELEASE"
    rm -rf "$RELEASE/build" "$RELEASE"/*.egg-info
    touch "$RELEASE/.installed"
fi
chown -R root:root "$RELEASE"
chmod -R go-w "$RELEASE"
if [ "$(readlink "$OPT_DIR/current" 2>/dev/null || true)" != "releases/$VERSION" ]; then
    ln -sfn "releases/$VERSION" "$OPT_DIR/current.new" && mv -T "$OPT_DIR/current.new" "$OPT_DIR/current"
    say "current -> releases/$VERSION"
    RELEASE_CHANGED=1
else
    RELEASE_CHANGED=0
fi

# --- The `kebabalab` command for people: runs as the service user with the shop's settings ----------------
mkdir -p "$BIN_DIR"
cat >"$BIN_DIR/kebabalab.new" <<EOF
#!/bin/sh
# Made by deployment/install.sh: the kebabalab command line with the shop's settings, as $SERVICE_USER.
export KEBABALAB_ENV="$ENV_FILE"
cd "$STATE_DIR" || exit 1
if [ "\$(id -u)" -eq 0 ]; then
    exec setpriv --reuid "$SERVICE_USER" --regid "$GROUP" --init-groups -- "$OPT_DIR/current/venv/bin/kebabalab" "\$@"
fi
exec "$OPT_DIR/current/venv/bin/kebabalab" "\$@"
EOF
chmod 755 "$BIN_DIR/kebabalab.new"
if cmp -s "$BIN_DIR/kebabalab.new" "$BIN_DIR/kebabalab"; then
    rm "$BIN_DIR/kebabalab.new"
else
    mv "$BIN_DIR/kebabalab.new" "$BIN_DIR/kebabalab"
    say "wrote $BIN_DIR/kebabalab (the command line, as $SERVICE_USER with the shop's settings)"
fi

# --- The state directory: database, the shop's files, backups ---------------------------------------------
mkdir -p "$STATE_DIR/backups"
for name in menu hours business; do
    if [ ! -f "$STATE_DIR/$name.json" ]; then
        cp "$RELEASE/kebabalab/data/$name.json" "$STATE_DIR/$name.json"
        say "wrote $STATE_DIR/$name.json (the default $name: edit it for the shop)"
    fi
done
chown -R "$SERVICE_USER:$GROUP" "$STATE_DIR"
chmod 750 "$STATE_DIR" "$STATE_DIR/backups"

# --- Settings: the production example with fresh secrets -------------------------------------------------
secret() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
setting() { sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1; }
set_setting() {  # replace NAME=... (the value is URL-safe) or add it at the end
    if grep -q "^$1=" "$ENV_FILE"; then sed -i "s|^$1=.*|$1=$2|" "$ENV_FILE"; else printf '%s=%s\n' "$1" "$2" >>"$ENV_FILE"; fi
}
mkdir -p "$ETC_DIR"
chmod 755 "$ETC_DIR"
if [ ! -f "$ENV_FILE" ]; then
    sed -e "s|/var/lib/kebabalab|$STATE_DIR|g" "$SOURCE/config/.env.production.example" >"$ENV_FILE.new"
    chmod 640 "$ENV_FILE.new"
    mv "$ENV_FILE.new" "$ENV_FILE"
    say "wrote $ENV_FILE from config/.env.production.example"
fi
chown "root:$GROUP" "$ENV_FILE"
chmod 640 "$ENV_FILE"
for name in VAPI_WEBHOOK_SECRET METRICS_TOKEN; do
    if [ -z "$(setting "$name")" ]; then
        set_setting "$name" "$(secret)"
        say "generated $name in $ENV_FILE"
    fi
done
NEW_PASSWORD=""
if [ -n "$STAFF_PASSWORD_GIVEN" ] && [ "$(setting STAFF_PASSWORD)" != "$STAFF_PASSWORD_GIVEN" ]; then
    set_setting STAFF_PASSWORD "$STAFF_PASSWORD_GIVEN"
    say "set STAFF_PASSWORD to the one given"
elif [ -z "$(setting STAFF_PASSWORD)" ]; then
    NEW_PASSWORD=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(12))')
    set_setting STAFF_PASSWORD "$NEW_PASSWORD"
fi
if [ -n "$PUBLIC_URL_GIVEN" ] && [ "$(setting PUBLIC_URL)" != "$PUBLIC_URL_GIVEN" ]; then
    set_setting PUBLIC_URL "$PUBLIC_URL_GIVEN"
    say "set PUBLIC_URL=$PUBLIC_URL_GIVEN"
fi

# --- The database: created and migrated by the service user ----------------------------------------------
(cd "$STATE_DIR" && KEBABALAB_ENV="$ENV_FILE" setpriv --reuid "$SERVICE_USER" --regid "$GROUP" --init-groups -- \
    "$OPT_DIR/current/venv/bin/kebabalab" init-db) | sed 's/^/install: /'

# --- systemd units: the server, and the daily check with its timer ---------------------------------------
UNITS_CHANGED=0
mkdir -p "$UNIT_DIR"
for unit in "$RELEASE"/deployment/systemd/*.socket "$RELEASE"/deployment/systemd/*.service \
            "$RELEASE"/deployment/systemd/*.timer; do
    [ -f "$unit" ] || continue
    name=$(basename "$unit")
    sed -e "s|/opt/kebabalab|$OPT_DIR|g" -e "s|/etc/kebabalab|$ETC_DIR|g" -e "s|/var/lib/kebabalab|$STATE_DIR|g" \
        -e "s|^User=kebabalab$|User=$SERVICE_USER|" -e "s|^Group=kebabalab$|Group=$GROUP|" "$unit" >"$UNIT_DIR/$name.new"
    if cmp -s "$UNIT_DIR/$name.new" "$UNIT_DIR/$name"; then
        rm "$UNIT_DIR/$name.new"
    else
        mv "$UNIT_DIR/$name.new" "$UNIT_DIR/$name"
        say "wrote $UNIT_DIR/$name"
        UNITS_CHANGED=1
    fi
done

if [ "$START" -eq 1 ] && [ -d /run/systemd/system ]; then
    [ "$UNITS_CHANGED" -eq 0 ] || systemctl daemon-reload
    systemctl enable --quiet kebabalab.socket kebabalab.service kebabalab-doctor.timer kebabalab-backup.timer
    systemctl start kebabalab.socket kebabalab-doctor.timer kebabalab-backup.timer
    if [ "$RELEASE_CHANGED" -eq 1 ] || [ "$UNITS_CHANGED" -eq 1 ] || ! systemctl is-active --quiet kebabalab.service; then
        systemctl restart kebabalab.service
        say "started kebabalab.service"
    fi
else
    say "systemd is not running this machine (or --no-start): start it with"
    say "  systemctl daemon-reload && systemctl enable --now kebabalab.socket kebabalab.service kebabalab-doctor.timer kebabalab-backup.timer"
fi

PORT=$(setting PORT)
say "done: release $VERSION, settings in $ENV_FILE, state in $STATE_DIR"
say "order board: http://127.0.0.1:${PORT:-5000}/board (and https://<your domain>/board once HTTPS is set up)"
if [ -n "$NEW_PASSWORD" ]; then
    say "board password (shown once; it is STAFF_PASSWORD in $ENV_FILE): $NEW_PASSWORD"
fi
say "next: fill in Twilio, Vapi and PUBLIC_URL in $ENV_FILE, then run: kebabalab doctor"
