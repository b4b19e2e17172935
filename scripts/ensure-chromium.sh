#!/usr/bin/env bash
# Make sure a Chromium for the console's browser tests exists (default: Debian's /usr/bin/chromium).
#
#   scripts/ensure-chromium.sh        CHROMIUM=/path/to/chromium overrides the path
#
# Installs Debian's chromium package only when that file is missing (like with-postgres.sh does for
# PostgreSQL); Playwright itself never downloads a browser here (playwright-core).
set -euo pipefail

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then exit 0; fi

if [ "$CHROMIUM" != /usr/bin/chromium ]; then
  echo "CHROMIUM=$CHROMIUM is not an executable file" >&2
  exit 1
fi
echo "Chromium not found; installing Debian's chromium package..." >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
test -x "$CHROMIUM"
