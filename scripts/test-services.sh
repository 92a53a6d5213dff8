#!/bin/sh
# Install what the test suite starts on loopback (redis-server, PostgreSQL, headless Chromium and its driver)
# and systemd-analyze (the install tests verify the units with it) from Debian's packages, only when missing; does nothing when all are there. `make test` runs it before pytest.
# The tests start and stop their own servers in a temp folder (tests/servers.py): nothing here starts a service.
set -eu

missing=""
if ! command -v redis-server >/dev/null 2>&1; then
    missing="$missing redis-server"
fi
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing="$missing postgresql"
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
    missing="$missing systemd"
fi
if ! command -v chromedriver >/dev/null 2>&1; then
    missing="$missing chromium chromium-driver"
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-services: install$missing (no apt-get on this machine)" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "test-services: installing$missing needs root; run: sudo apt-get install$missing" >&2
        exit 1
    fi
    sudo="sudo -n"
fi

echo "test-services: installing$missing from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086  # one word per package
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
