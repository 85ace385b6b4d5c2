#!/usr/bin/env bash
# Installs what the local backend of `odoo-2fa verify` needs from Debian/Ubuntu: PostgreSQL's
# server binaries and Odoo's Python dependencies (for /usr/bin/python3). Idempotent: when every
# package is already installed it says so and exits at once, without apt-get update.
# Needs root or sudo for the install itself. Usage: npm run setup:local-odoo
set -euo pipefail

packages=(
  postgresql
  python3-werkzeug python3-lxml python3-psycopg2 python3-passlib python3-babel python3-pil
  python3-reportlab python3-jinja2 python3-polib python3-rjsmin python3-libsass python3-num2words
  python3-qrcode python3-zeep python3-stdnum python3-vobject python3-xlsxwriter python3-openpyxl
  python3-pypdf2 python3-docutils python3-gevent python3-psutil python3-decorator python3-dateutil
  python3-cryptography python3-openssl python3-asn1crypto python3-ofxparse python3-pydot
  python3-requests python3-xlrd python3-xlwt python3-chardet python3-freezegun python3-geoip2
  python3-cbor2 python3-magic python3-ldap
  # Odoo's tours (HttpCase.start_tour) drive a headless Chromium over its DevTools websocket.
  chromium python3-websocket
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-local-odoo: this script installs Debian packages (dpkg/apt-get not found)." >&2
  echo "  On another system, install PostgreSQL (server binaries: initdb, pg_ctl) and Odoo's Python" >&2
  echo "  requirements (requirements.txt of the Odoo tree) yourself; verify takes --python PY." >&2
  exit 2
fi

# Packages not fully installed, from one dpkg-query call (unknown packages are simply absent).
not_installed() {
  local installed
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)"
  local package
  for package in "$@"; do
    grep -qxF "$package" <<<"$installed" || echo "$package"
  done
}

mapfile -t missing < <(not_installed "${packages[@]}")

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-local-odoo: all ${#packages[@]} packages already installed (PostgreSQL and Odoo's Python dependencies)."
  exit 0
fi

echo "setup-local-odoo: installing ${#missing[@]} missing package(s): ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup-local-odoo: need root (or sudo) to install: ${missing[*]}" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# Odoo's tests start their own throwaway clusters; the Debian package's default cluster is not
# needed, but installing postgresql may create and start one. That is harmless: verify never uses it.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

mapfile -t still_missing < <(not_installed "${missing[@]}")
if [ "${#still_missing[@]}" -ne 0 ]; then
  echo "setup-local-odoo: still missing after apt-get install: ${still_missing[*]}" >&2
  exit 1
fi
echo "setup-local-odoo: done."
