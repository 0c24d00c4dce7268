#!/usr/bin/env bash
# Installs a headless browser for the cluster page's browser tests
# (examples/src/test/java/dev/pontoon/examples/page): Debian's chromium and chromium-driver.
#
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver already exist.
# Otherwise it runs `apt-get update` and `apt-get install -y chromium chromium-driver` (needs root
# and the Debian package mirror). Only Debian's packages are used: nothing is downloaded from
# anywhere else. It prints one line either way and always exits 0: when the browser cannot be
# installed the line starts with "browser: not installed:" and the browser tests skip, each with
# one line naming the missing binary.
#
# Environment:
#   PONTOON_APT_LOG_DIR  where apt's output goes (default: the temp dir)
set -uo pipefail

chromium=/usr/bin/chromium
driver=/usr/bin/chromedriver
log_dir="${PONTOON_APT_LOG_DIR:-${TMPDIR:-/tmp}}"

say() { echo "browser: $*"; }
give_up() { say "not installed: $*; the browser tests will skip"; exit 0; }

version() { "$chromium" --version 2>/dev/null | head -1; }

if [ -x "$chromium" ] && [ -x "$driver" ]; then
  say "already installed ($(version))"
  exit 0
fi
[ "$(id -u)" = 0 ] || give_up "$chromium or $driver is missing and installing them needs root"
command -v apt-get >/dev/null 2>&1 || give_up "$chromium or $driver is missing and apt-get is not available"

export DEBIAN_FRONTEND=noninteractive
# A stale package list can name versions the mirror no longer has: refresh it first.
apt-get update -q >"$log_dir/pontoon-apt-update.log" 2>&1 \
  || give_up "apt-get update failed (see $log_dir/pontoon-apt-update.log)"
apt-get install -y -q chromium chromium-driver >"$log_dir/pontoon-apt-chromium.log" 2>&1 \
  || give_up "apt-get install chromium chromium-driver failed (see $log_dir/pontoon-apt-chromium.log)"
[ -x "$chromium" ] && [ -x "$driver" ] || give_up "$chromium or $driver is still missing after apt-get install"
say "installed Debian's chromium and chromium-driver ($(version))"
