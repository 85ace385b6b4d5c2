"""What bench/scale.ts runs inside Odoo (with Debian's python3, PYTHONPATH = an Odoo tree).

    python3 scale_driver.py COMMAND JSON_ARGS -- ODOO_OPTIONS...

Commands (each prints one line ``RESULT=<json>``):

- ``populate``: adds portal and internal users in bulk (SQL copies of one user made with the
  ORM), and the two users the request benchmark logs in as.
- ``install``: installs the addon; wall time and the SQL queries Odoo ran (``odoo.sql_db``'s
  counter, the one its request log reads).
- ``measure``: the compliance report, the 2FA status filter and the users list without it (each
  as its list opens it: ``web_search_read``, the first 80 records and the count), one run of the notification cron; each in a transaction rolled
  back afterwards, so that the database stays as it was.
- ``sql``: runs statements and commits (the request benchmark's set-up).
"""

import inspect
import json
import sys
import time

import odoo
from odoo import api, sql_db
from odoo.tools import config

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def registry_new(db, install=()):
    from odoo.modules.registry import Registry

    if install and "install_modules" in inspect.signature(Registry.new).parameters:
        return Registry.new(db, update_module=True, install_modules=list(install))
    if install:
        for name in install:
            config["init"][name] = 1
    return Registry.new(db, update_module=bool(install))


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name != "id"]


def copies(cr, table, proto_id, count, overrides):
    """INSERT ``count`` copies of row ``proto_id``; ``overrides``: column -> SQL over g."""
    names = columns(cr, table)
    exprs = [overrides.get(name, f'p."{name}"') for name in names]
    cr.execute(
        f"""
        INSERT INTO "{table}" ({", ".join(f'"{n}"' for n in names)})
        SELECT {", ".join(exprs)}
          FROM "{table}" p, generate_series(1, %s) g
         WHERE p.id = %s
        """,
        [count, proto_id],
    )


def populate(env, args):
    cr = env.cr
    Users = env["res.users"].sudo().with_context(no_reset_password=True)
    groups_field = "group_ids" if "group_ids" in Users._fields else "groups_id"
    started = time.time()
    made = {}
    for kind, count, group in (
        ("portal", args["portal"], "base.group_portal"),
        ("internal", args["internal"], "base.group_user"),
    ):
        proto = Users.create(
            {
                "name": f"scale {kind} 0",
                "login": f"scale-{kind}-0",
                "email": f"scale-{kind}-0@scale.example",
                groups_field: [(6, 0, [env.ref(group).id])],
            }
        )
        env.flush_all()
        tag = f"scale-{kind}-"
        copies(
            cr,
            "res_partner",
            proto.partner_id.id,
            count,
            {
                "name": f"'scale {kind} ' || g",
                "complete_name": f"'scale {kind} ' || g",
                "display_name": f"'scale {kind} ' || g",
                "email": f"'{tag}' || g || '@scale.example'",
                "email_normalized": f"'{tag}' || g || '@scale.example'",
                "ref": f"'{tag}' || g",
            },
        )
        names = columns(cr, "res_users")
        # Every fifth portal user and every second internal user enrolled.
        every = 5 if kind == "portal" else 2
        overrides = {
            "login": f"'{tag}' || g",
            "partner_id": "np.id",
            "totp_secret": f"CASE WHEN g %% {every} = 0 THEN '{TOTP_SECRET}' END",
        }
        exprs = [overrides.get(name, f'p."{name}"') for name in names]
        cr.execute(
            f"""
            INSERT INTO res_users ({", ".join(f'"{n}"' for n in names)})
            SELECT {", ".join(exprs)}
              FROM res_users p, generate_series(1, %s) g
              JOIN res_partner np ON np.ref = '{tag}' || g
             WHERE p.id = %s
            """,
            [count, proto.id],
        )
        cr.execute(
            """
            INSERT INTO res_groups_users_rel (gid, uid)
            SELECT rel.gid, u.id
              FROM res_groups_users_rel rel, res_users u
             WHERE rel.uid = %s AND u.login LIKE %s AND u.id != %s
            """,
            [proto.id, tag + "%", proto.id],
        )
        made[kind] = count + 1
    internal = env.ref("base.group_user").id
    portal = env.ref("base.group_portal").id
    enrolled = Users.create(
        {
            "name": "Bench Enrolled",
            "login": "bench-enrolled",
            "password": args["password"],
            groups_field: [(6, 0, [internal])],
        }
    )
    env.cr.execute(
        "UPDATE res_users SET totp_secret = %s WHERE id = %s", [TOTP_SECRET, enrolled.id]
    )
    Users.create(
        {
            "name": "Bench Held",
            "login": "bench-held",
            "password": args["password"],
            groups_field: [(6, 0, [portal])],
        }
    )
    cr.execute("ANALYZE")
    env.cr.commit()
    cr.execute("SELECT count(*) FROM res_users")
    return {
        "seconds": time.time() - started,
        "users": cr.fetchone()[0],
        "made": made,
        "admin_partner": env.ref("base.partner_admin").id,
    }


def timed(env, run):
    queries = sql_db.sql_counter
    started = time.time()
    value = run()
    env.flush_all()
    return {
        "seconds": round(time.time() - started, 3),
        "queries": sql_db.sql_counter - queries,
        "value": value,
    }


def list_opens(model, domain, field_names):
    """What a list view's first page asks (``web_search_read``: the first 80 records
    and their count); the number of records."""
    if odoo.release.version_info[0] < 17:
        found = model.web_search_read(domain, field_names, limit=80)
    else:
        found = model.web_search_read(domain, {name: {} for name in field_names}, limit=80)
    return found["length"]


def measure(env, args):
    out = {}
    only = args.get("only")
    Users = env["res.users"].sudo().with_context(active_test=False)
    if only in (None, "report") and "totp.policy.compliance" in env:
        Report = env["totp.policy.compliance"].sudo()
        out["report"] = timed(env, lambda: list_opens(Report, [], ["login", "user_id", "group_id", "status"]))
        env.cr.rollback()
        env.invalidate_all()
    if only in (None, "filter") and "totp_policy_status" in Users._fields:
        # As Settings -> Users lists them (active users).
        listed = env["res.users"].sudo()
        domain = [("totp_policy_status", "in", ("grace", "missing"))]
        out["filter"] = timed(env, lambda: list_opens(listed, domain, ["login"]))
        env.cr.rollback()
        env.invalidate_all()
        # The same list without the filter: what the users list costs in Odoo itself.
        out["users_list"] = timed(env, lambda: list_opens(listed, [], ["login"]))
        env.cr.rollback()
        env.invalidate_all()
    if only in (None, "cron") and "totp.policy.notification" in env:
        Notifications = env["totp.policy.notification"].sudo()

        def cron():
            Notifications._cron_notify()
            env.flush_all()
            env.cr.execute("SELECT count(*) FROM totp_policy_notification")
            return env.cr.fetchone()[0]

        out["cron"] = timed(env, cron)
        env.cr.rollback()
    return out


def main():
    command, raw = sys.argv[1], sys.argv[2]
    options = sys.argv[sys.argv.index("--") + 1 :]
    args = json.loads(raw)
    config.parse_config(options)
    db = args["db"]
    if command == "install":
        queries = sql_db.sql_counter
        started = time.time()
        registry_new(db, install=[args["addon"]])
        result = {
            "seconds": round(time.time() - started, 3),
            "queries": sql_db.sql_counter - queries,
        }
    else:
        registry = registry_new(db)
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            if command == "populate":
                result = populate(env, args)
            elif command == "measure":
                result = measure(env, args)
            elif command == "sql":
                for statement in args["statements"]:
                    cr.execute(statement)
                cr.commit()
                result = {"ok": True}
            else:
                raise SystemExit(f"unknown command {command}")
    print("RESULT=" + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
