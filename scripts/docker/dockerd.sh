#!/usr/bin/env bash
# A private Docker daemon for odoo-2fa's dockerized test tier (and for `verify --docker` on a
# machine that has no Docker engine running). Everything lives in one folder of its own:
#   ${ODOO_2FA_DOCKER_DIR:-${ODOO_2FA_CACHE:-~/.cache/odoo-2fa}/docker}/{data,exec,docker.sock,docker.pid,dockerd.log}
# It never touches /var/lib/docker, /var/run/docker.sock or a system daemon.
#
#   scripts/docker/dockerd.sh start    start it (or reuse the running one); prints DOCKER_HOST=…
#   scripts/docker/dockerd.sh stop     stop it (only ours: by the pid in our pidfile)
#   scripts/docker/dockerd.sh status   exit 0 when it answers, 1 otherwise; prints DOCKER_HOST=…
#   scripts/docker/dockerd.sh env      prints `export DOCKER_HOST=…` (for eval)
#
# Needs root and Debian's docker.io package (dockerd, containerd, runc). iptables and the default
# bridge are off, so it runs without netfilter; user-defined networks and name resolution
# between containers work. Storage driver: ODOO_2FA_DOCKER_STORAGE_DRIVER, default `auto` =
# overlay2 when an overlay mount works in the data folder, else vfs (which copies the whole image
# for every container: creating and removing an Odoo container then takes tens of seconds).
set -euo pipefail

cache="${ODOO_2FA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-2fa}"
root="${ODOO_2FA_DOCKER_DIR:-$cache/docker}"
sock="$root/docker.sock"
pidfile="$root/docker.pid"
log="$root/dockerd.log"
host="unix://$sock"
export DOCKER_HOST="$host"

say() { printf 'odoo-2fa dockerd: %s\n' "$*" >&2; }

answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

our_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] || return 1
  echo "$pid"
}

wait_answer() {
  local seconds="$1" i
  for ((i = 0; i < seconds * 2; i++)); do
    answers && return 0
    sleep 0.5
  done
  return 1
}

start() {
  mkdir -p "$root"
  exec 9>"$root/lock"
  flock -w 120 9 || { say "another start holds $root/lock"; exit 1; }
  if answers; then
    echo "DOCKER_HOST=$host"
    return 0
  fi
  if pid="$(our_pid)"; then
    say "dockerd (pid $pid) is starting; waiting for it"
    if wait_answer 60; then echo "DOCKER_HOST=$host"; return 0; fi
    say "dockerd (pid $pid) does not answer on $sock; see $log"
    exit 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    say "starting a Docker daemon needs root (this is uid $(id -u)). Run as root, or start Docker yourself and set DOCKER_HOST."
    exit 1
  fi
  if ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null; then
    say "no dockerd/containerd: install Debian's docker.io package (apt-get install docker.io)."
    exit 1
  fi
  if ! command -v docker >/dev/null; then
    say "no docker client: install Debian's docker.io package (apt-get install docker.io)."
    exit 1
  fi
  rm -f "$pidfile" "$sock"
  mkdir -p "$root/data" "$root/exec"
  local driver="${ODOO_2FA_DOCKER_STORAGE_DRIVER:-auto}"
  if [[ "$driver" == auto ]]; then
    driver=vfs
    local probe="$root/overlay-probe"
    rm -rf "$probe"
    mkdir -p "$probe"/{lower,upper,work,merged}
    if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
      umount "$probe/merged"
      driver=overlay2
    fi
    rm -rf "$probe"
  fi
  say "starting dockerd (storage driver $driver, data root $root/data, socket $sock, log $log)"
  # setsid + nohup: the daemon outlives this script and is not in its process group.
  setsid nohup dockerd \
    --storage-driver "$driver" \
    --iptables=false \
    --ip-masq=false \
    --bridge=none \
    --data-root "$root/data" \
    --exec-root "$root/exec" \
    --pidfile "$pidfile" \
    -H "$host" \
    >>"$log" 2>&1 </dev/null &
  if wait_answer 90; then
    echo "DOCKER_HOST=$host"
    return 0
  fi
  say "dockerd did not answer within 90 s; last lines of $log:"
  tail -n 20 "$log" >&2 || true
  exit 1
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then
    say "not running"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) did not stop in 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile" "$sock"
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if answers; then echo "DOCKER_HOST=$host"; exit 0; fi
    say "not answering on $sock"
    exit 1
    ;;
  env) echo "export DOCKER_HOST=$host" ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
