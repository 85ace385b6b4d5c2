# Issue 18 (batched, resumable background work), set-up run in `odoo shell` (`env` given), after
# `ARGS = {"addon": ..., "count": ...}`: adds ``count`` portal users missing 2FA in bulk (SQL
# copies of one user made with the ORM, each with an e-mail address), stops every other
# scheduled action (the mail queue too: queued mails stay in mail.mail to be counted), makes
# the notification cron due now, and prints RESULT=<json>: the users due an announcement (the
# policy's own query, in id order), the batch size and the sequences the watcher reads.
import json

addon = ARGS["addon"]  # noqa: F821  (prepended by the test)
count = ARGS["count"]  # noqa: F821
cr = env.cr  # noqa: F821
Users = env["res.users"].sudo().with_context(no_reset_password=True)  # noqa: F821
groups_field = "group_ids" if "group_ids" in Users._fields else "groups_id"
notification = __import__(
    f"odoo.addons.{addon}.models.totp_policy_notification", fromlist=["BATCH_SIZE"]
)


def columns(table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name != "id"]


def copies(table, proto_id, overrides, join=""):
    names = columns(table)
    exprs = [overrides.get(name, f'p."{name}"') for name in names]
    cr.execute(
        f"""
        INSERT INTO "{table}" ({", ".join(f'"{n}"' for n in names)})
        SELECT {", ".join(exprs)}
          FROM "{table}" p CROSS JOIN generate_series(1, %s) g {join}
         WHERE p.id = %s
        """,
        [count, proto_id],
    )


tag = "tpk-portal-"
proto = Users.create(
    {
        "name": "tpk portal 0",
        "login": f"{tag}0",
        "email": f"{tag}0@kill.example",
        groups_field: [(6, 0, [env.ref("base.group_portal").id])],  # noqa: F821
    }
)
env.flush_all()  # noqa: F821
copies(
    "res_partner",
    proto.partner_id.id,
    {
        "name": "'tpk portal ' || g",
        "complete_name": "'tpk portal ' || g",
        "display_name": "'tpk portal ' || g",
        "email": f"'{tag}' || g || '@kill.example'",
        "email_normalized": f"'{tag}' || g || '@kill.example'",
        "ref": f"'{tag}' || g",
    },
)
copies(
    "res_users",
    proto.id,
    {"login": f"'{tag}' || g", "partner_id": "np.id"},
    join=f"JOIN res_partner np ON np.ref = '{tag}' || g",
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
env.invalidate_all()  # noqa: F821
# Every user the policy holds gets its mail: an address for those without one (the admin).
query, params = Users._totp_policy_states_query()
cr.execute(
    f"""
    UPDATE res_partner p SET email = u.login || '@kill.example'
      FROM res_users u, ({query}) AS state
     WHERE state.id = u.id AND state.kind = 'missing' AND p.id = u.partner_id
       AND COALESCE(p.email, '') = ''
    """,
    params,
)
cron = env.ref(f"{addon}.ir_cron_totp_policy_notify")  # noqa: F821
cr.execute("UPDATE ir_cron SET active = (id = %s)", [cron.id])
cr.execute(
    "UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') - interval '1 minute'"
    " WHERE id = %s",
    [cron.id],
)
cr.execute("DELETE FROM ir_cron_trigger")
cr.execute(
    f"""
    SELECT state.id FROM ({query}) AS state
     WHERE state.kind = 'missing'
       AND NOT EXISTS (SELECT 1 FROM totp_policy_notification n
                        WHERE n.user_id = state.id AND n.kind = 'announce')
     ORDER BY state.id
    """,
    params,
)
due = [user_id for (user_id,) in cr.fetchall()]
cr.execute("ANALYZE")
cr.commit()
print(
    "RESULT="
    + json.dumps(
        {
            "due": due,
            "batch": notification.BATCH_SIZE,
            "cron": cron.id,
            "cursor_param": notification.PARAM_CURSOR,
            "db": cr.dbname,
        }
    )
)
