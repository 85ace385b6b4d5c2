#!/usr/bin/env bash
# Installs what the dockerized tier needs from Debian (idempotent; root or sudo): the Docker
# engine (docker.io: dockerd, containerd, runc, the docker CLI) and debootstrap, which builds
# the images' root filesystem. It does not start anything: scripts/docker/dockerd.sh does.
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [[ ${#need[@]} -eq 0 ]]; then
  echo "docker setup: docker.io and debootstrap already installed"
  exit 0
fi
sudo=()
[[ "$(id -u)" == 0 ]] || sudo=(sudo)
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "docker setup: installing ${need[*]}"
"${sudo[@]}" apt-get update -qq
# policy-rc.d keeps the package from starting the system daemon (we run a private one).
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
