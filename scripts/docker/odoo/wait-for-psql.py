#!/usr/bin/env python3
"""Waits until PostgreSQL accepts a connection with Odoo's db options (odoo-2fa/odoo image)."""
import argparse
import sys
import time

import psycopg2

parser = argparse.ArgumentParser()
parser.add_argument("--db_host")
parser.add_argument("--db_port")
parser.add_argument("--db_user")
parser.add_argument("--db_password")
parser.add_argument("--database", default="postgres")
parser.add_argument("--timeout", type=int, default=5)
args = parser.parse_args()

deadline = time.time() + args.timeout
error = None
while True:
    try:
        psycopg2.connect(host=args.db_host, port=args.db_port, user=args.db_user,
                         password=args.db_password, dbname=args.database).close()
        sys.exit(0)
    except psycopg2.OperationalError as exc:
        error = exc
    if time.time() >= deadline:
        break
    time.sleep(0.5)
print("Database connection failure: %s" % error, file=sys.stderr)
sys.exit(1)
