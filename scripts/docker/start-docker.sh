#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for the container-level cluster tests
# (examples/src/test/java/dev/pontoon/examples/container).
#
# Idempotent and quick when Docker already answers. Otherwise it installs Debian's docker.io
# (needs root and the Debian package mirror), starts dockerd in the background and waits, bounded,
# until `docker info` answers. It always exits 0: when Docker cannot be started it prints one line
# starting with "docker: not started:" and the container tests then skip with a clear message.
#
# The daemon is started without a bridge and without touching iptables: the tests run every
# container with host networking on loopback ports, so no container address outside 127.0.0.0/8 is
# ever used and the host's firewall rules stay as they were.
#
# Environment:
#   PONTOON_DOCKER_WAIT_SECONDS  how long to wait for the daemon to answer (default 60)
#   PONTOON_DOCKERD_LOG          dockerd's log file (default: <temp dir>/pontoon-dockerd.log)
set -uo pipefail

wait_seconds="${PONTOON_DOCKER_WAIT_SECONDS:-60}"
tmp_dir="${TMPDIR:-/tmp}"
log_file="${PONTOON_DOCKERD_LOG:-$tmp_dir/pontoon-dockerd.log}"

say() { echo "docker: $*"; }
give_up() { say "not started: $*"; exit 0; }

docker_answers() { command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; }

if docker_answers; then
  say "engine already answers ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  give_up "the engine does not answer and installing/starting it needs root (run this script as root)"
fi

install_docker_io() {
  command -v apt-get >/dev/null 2>&1 || give_up "dockerd is missing and apt-get is not available to install docker.io"
  say "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # A stale package list can name versions the mirror no longer has: refresh it first.
  apt-get update -q >"$tmp_dir/pontoon-apt-update.log" 2>&1 \
    || give_up "apt-get update failed (see $tmp_dir/pontoon-apt-update.log)"
  apt-get install -y -q --no-install-recommends docker.io >"$tmp_dir/pontoon-apt-docker.log" 2>&1 \
    || give_up "apt-get install docker.io failed (see $tmp_dir/pontoon-apt-docker.log)"
}

if ! command -v dockerd >/dev/null 2>&1 || ! command -v containerd >/dev/null 2>&1; then
  install_docker_io
fi
command -v dockerd >/dev/null 2>&1 || give_up "dockerd is still missing after installing docker.io"
# Debian ships the client in docker.io; a client installed elsewhere (newer) is fine too.
command -v docker >/dev/null 2>&1 || give_up "the docker client is missing after installing docker.io"

dockerd_running() { pgrep -x dockerd >/dev/null 2>&1; }

wait_for_engine() {
  local deadline=$((SECONDS + wait_seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    docker_answers && return 0
    dockerd_running || return 1
    sleep 1
  done
  return 1
}

start_dockerd() {
  # $@: extra dockerd flags for this attempt
  say "starting dockerd${*:+ $*} (log: $log_file)"
  {
    echo "=== $(date -u '+%Y-%m-%dT%H:%M:%SZ') dockerd $*"
  } >>"$log_file"
  # setsid: the daemon must outlive this script and the shell that ran it.
  setsid dockerd --bridge=none --iptables=false --ip6tables=false "$@" >>"$log_file" 2>&1 </dev/null &
  wait_for_engine
}

if dockerd_running; then
  # A daemon is starting or hung: give it the same bounded wait rather than starting a second one.
  say "dockerd is already running; waiting for it to answer"
  wait_for_engine && { say "engine answers"; exit 0; }
  give_up "a dockerd process runs but does not answer within ${wait_seconds}s (see its log, e.g. $log_file)"
fi

# Default storage driver first (overlay2 where the kernel allows it), then vfs, which works
# on any filesystem (slower and larger, but the image here is small).
if start_dockerd; then
  say "engine answers ($(docker info --format '{{.ServerVersion}} {{.Driver}}' 2>/dev/null))"
  exit 0
fi
if dockerd_running; then
  give_up "dockerd started but did not answer within ${wait_seconds}s (see $log_file)"
fi
if start_dockerd --storage-driver=vfs; then
  say "engine answers with the vfs storage driver ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
  exit 0
fi
dockerd_running && give_up "dockerd (vfs) started but did not answer within ${wait_seconds}s (see $log_file)"
reason=$(grep -iE 'level=(fatal|error)|failed' "$log_file" | tail -1 | cut -c1-300)
give_up "dockerd exited: ${reason:-see $log_file}"
