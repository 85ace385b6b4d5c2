#!/usr/bin/env bash
# The developer's one command, in a checkout of odoo-2fa: installs everything odoo-2fa and its
# tests need: the npm packages (which also build the CLI), the test tools (pre-commit, the reverse
# proxies, Docker), and, where Odoo source trees are present for the real-Odoo test tier, the
# Debian packages the local verify backend runs Odoo with (`odoo-2fa setup local-odoo --yes`).
# Users of an installed package never run this: they need only `odoo-2fa setup local-odoo`.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci
# The pre-commit hook is tested with the real pre-commit tool.
if ! command -v pre-commit >/dev/null 2>&1; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q pre-commit
fi
# The reverse-proxy tests run nginx, Apache, Caddy and HAProxy for real.
bash scripts/setup-proxies.sh
sources="${ODOO_2FA_SOURCES:-$HOME/.cache/odoo-2fa/sources}"
for series in 16.0 17.0 18.0 19.0; do
  if [ -f "$sources/$series/odoo/release.py" ]; then
    bash scripts/setup-local-odoo.sh
    # Odoo's own tours (test/odoo/own-suites.test.ts) run in Debian's Chromium over python3-websocket.
    if [ "$(dpkg-query -W -f='${Status}\n' chromium python3-websocket 2>/dev/null | grep -c 'install ok installed')" -ne 2 ]; then
      sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
      DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q chromium python3-websocket
    fi
    # The dockerized tier runs verify --docker against a private Docker daemon.
    bash scripts/docker/setup.sh
    exit 0
  fi
done
echo "install: no Odoo source tree under $sources/<series>; the real-Odoo test tier will be skipped (see README, 'Real-Odoo tests')."
