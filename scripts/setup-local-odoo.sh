#!/usr/bin/env bash
# The developer's spelling of `odoo-2fa setup local-odoo --yes` (scripts/install.sh runs it):
# installs from Debian what the local backend of `verify` needs (PostgreSQL's server, Odoo's
# Python dependencies). The package list lives in src/cli/local-odoo.ts, once. Idempotent.
# Needs the built CLI (npm ci builds it) and root or sudo. Usage: npm run setup:local-odoo
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run --silent build
exec node dist/cli/main.js setup local-odoo --yes "$@"
