#!/usr/bin/env bash
# Entrypoint of odoo-2fa/odoo: the interface of the official `odoo` image.
# HOST/PORT/USER/PASSWORD (or PASSWORD_FILE; defaults db/5432/odoo/odoo, with the legacy link
# variables as fallbacks) become --db_host/--db_port/--db_user/--db_password, unless the config
# file ($ODOO_RC) sets that option or the matching libpq variable (PGHOST…) is set. `odoo ARGS`
# or `-- ARGS` or `-ARGS` wait for PostgreSQL (30 s) and run Odoo; anything else is run as is.
set -e

if [ -v PASSWORD_FILE ]; then PASSWORD="$(<"$PASSWORD_FILE")"; fi
: "${HOST:=${DB_PORT_5432_TCP_ADDR:-db}}"
: "${PORT:=${DB_PORT_5432_TCP_PORT:-5432}}"
: "${USER:=${DB_ENV_POSTGRES_USER:-${POSTGRES_USER:-odoo}}}"
: "${PASSWORD:=${DB_ENV_POSTGRES_PASSWORD:-${POSTGRES_PASSWORD:-odoo}}}"

DB_ARGS=()
db_option() {
  local option="$1" value="$2" libpq="$3"
  if [[ -v "$libpq" ]]; then return; fi
  if grep -qE "^\s*\b${option}\b\s*=" "$ODOO_RC" 2>/dev/null; then return; fi
  DB_ARGS+=("--$option" "$value")
}
db_option db_host "$HOST" PGHOST
db_option db_port "$PORT" PGPORT
db_option db_user "$USER" PGUSER
db_option db_password "$PASSWORD" PGPASSWORD

run_odoo() {
  wait-for-psql.py "${DB_ARGS[@]}" --timeout=30
  exec odoo "$@" "${DB_ARGS[@]}"
}

case "${1:-}" in
  -- | odoo)
    shift
    if [[ "${1:-}" == scaffold ]]; then exec odoo "$@"; fi
    run_odoo "$@"
    ;;
  -*) run_odoo "$@" ;;
  *) exec "$@" ;;
esac
