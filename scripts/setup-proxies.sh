#!/usr/bin/env bash
# Installs the four reverse proxies the proxy-snippet tests run for real (nginx, Apache, Caddy,
# HAProxy), from Debian. Idempotent: installs only what is missing and runs `apt-get update`
# only when something is. Never starts, enables or stops a system service: the tests run each
# server themselves, on loopback, with private config, pid and log files in a temp directory.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/apache2 ] || need+=(apache2)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)

if [ "${#need[@]}" -eq 0 ]; then
  echo "setup-proxies: nginx, apache2, caddy and haproxy are already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

echo "setup-proxies: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages' postinst scripts try to start their service; forbid that (no init system here, and
# the tests must not touch system services). policy-rc.d is restored afterwards.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup-proxies: done"
