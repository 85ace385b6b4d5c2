"""Issue 18, the watcher of test/odoo/cron-kill.test.ts: reads the database while an Odoo server
runs the notification cron (psycopg2, another connection: it sees only what is committed, and the
id sequences, which move outside transactions).

    python3 cron-kill-watch.py MODE JSON_ARGS

JSON_ARGS: host, port, user, db, pid (the server), due (user ids), batch, cron, cursor_param.
Both modes wake the server's cron thread (NOTIFY cron_trigger, as Odoo's own `_notifydb`) every
2 s: it otherwise first polls a minute after start. Each prints one line RESULT=<json>.

- ``kill``: waits until a batch has been committed and the next one is under way, with at least
  ``uncommitted`` announcements claimed or mails queued in its open transaction (the id
  sequences ahead of the committed rows), then SIGKILLs the server and, once its connections are
  gone, reports what stayed (the server is left running when that moment never came).
- ``finish``: waits until the round is over (cursor back at 0, the cron rescheduled a day on),
  then reports what the database holds.
- ``again``: makes the cron due again (the next day's round, everyone announced already) and
  waits until that round is over too; stops early when the cron was rescheduled a day on, with
  no trigger due, while the round had not ended (5 s on end: stalled).
"""

import json
import os
import signal
import sys
import time

import psycopg2

MODE = sys.argv[1]
ARGS = json.loads(sys.argv[2])
DUE = ARGS["due"]
ANNOUNCE_SUBJECT = "%now required%"
SUMMARY_SUBJECT = "%still not enrolled%"


def connect(db):
    conn = psycopg2.connect(
        host=ARGS["host"], port=ARGS["port"], user=ARGS["user"], dbname=db
    )
    conn.autocommit = True
    return conn


conn = connect(ARGS["db"])
cr = conn.cursor()
wake = connect("postgres").cursor()


def one(query, params=()):
    cr.execute(query, params)
    return cr.fetchone()[0]


def sample():
    return {
        "cursor": int(
            one(
                "SELECT COALESCE((SELECT value FROM ir_config_parameter WHERE key = %s), '0')",
                [ARGS["cursor_param"]],
            )
        ),
        "claimed": one(
            "SELECT count(*) FROM totp_policy_notification"
            " WHERE kind = 'announce' AND user_id = ANY(%s)",
            [DUE],
        ),
        # Ahead of the committed rows: claimed and queued in a transaction still open.
        "claims_open": one("SELECT last_value FROM totp_policy_notification_id_seq")
        - one("SELECT COALESCE(max(id), 0) FROM totp_policy_notification"),
        "mails_open": one("SELECT last_value FROM mail_mail_id_seq")
        - one("SELECT COALESCE(max(id), 0) FROM mail_mail"),
        "rescheduled_later": one(
            "SELECT nextcall > (now() at time zone 'UTC') + interval '12 hours'"
            " FROM ir_cron WHERE id = %s",
            [ARGS["cron"]],
        ),
        "triggers_due": one(
            "SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s"
            " AND call_at <= (now() at time zone 'UTC')",
            [ARGS["cron"]],
        ),
        "lastcall": str(
            one("SELECT lastcall FROM ir_cron WHERE id = %s", [ARGS["cron"]])
        ),
    }


def state():
    """What the database holds now, per due user and overall."""
    cr.execute(
        """
        SELECT u.id,
               (SELECT count(*) FROM totp_policy_notification n
                 WHERE n.user_id = u.id AND n.kind = 'announce'),
               (SELECT count(*) FROM mail_mail mm
                  JOIN mail_message m ON m.id = mm.mail_message_id
                 WHERE m.model = 'res.users' AND m.res_id = u.id AND m.subject LIKE %s)
          FROM res_users u
         WHERE u.id = ANY(%s)
         ORDER BY u.id
        """,
        [ANNOUNCE_SUBJECT, DUE],
    )
    rows = cr.fetchall()
    cr.execute(
        """
        SELECT m.res_id FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id
         WHERE m.model = 'res.users' AND m.subject LIKE %s
         GROUP BY m.res_id HAVING count(*) > 1
        """,
        [ANNOUNCE_SUBJECT],
    )
    twice = [res_id for (res_id,) in cr.fetchall()]
    progress = None
    if one("SELECT to_regclass('ir_cron_progress') IS NOT NULL"):
        cr.execute(
            "SELECT done, remaining FROM ir_cron_progress WHERE cron_id = %s ORDER BY id",
            [ARGS["cron"]],
        )
        progress = cr.fetchall()
    return {
        "claimed": [user_id for user_id, claims, _mails in rows if claims],
        "claims_not_one": [user_id for user_id, claims, _mails in rows if claims != 1],
        "mails_not_one": [user_id for user_id, _claims, mails in rows if mails != 1],
        "mailed": sum(mails for _user_id, _claims, mails in rows),
        "mailed_twice_anyone": twice,
        "summary_claims": one(
            "SELECT count(*) FROM totp_policy_notification WHERE kind = 'admin_summary'"
        ),
        "summary_mails": one(
            "SELECT count(*) FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id"
            " WHERE m.model = 'res.users' AND m.subject LIKE %s",
            [SUMMARY_SUBJECT],
        ),
        "progress": progress,
    }


def watch(done, timeout, stalled=lambda seen: False):
    """Samples until ``done``; None when ``stalled`` held 5 s on end, or after ``timeout``."""
    started = time.monotonic()
    woken = 0.0
    cursors = []
    stalled_since = None
    while time.monotonic() - started < timeout:
        now = time.monotonic()
        if now - woken > 2:
            wake.execute("SELECT pg_notify('cron_trigger', %s)", [ARGS["db"]])
            woken = now
        seen = sample()
        if not cursors or cursors[-1] != seen["cursor"]:
            cursors.append(seen["cursor"])
        if done(seen):
            return seen, cursors, time.monotonic() - started
        if not stalled(seen):
            stalled_since = None
        elif stalled_since is None:
            stalled_since = now
        elif now - stalled_since > 5:
            break
        time.sleep(0.1)
    return None, cursors, time.monotonic() - started


def main():
    if MODE == "kill":
        uncommitted = ARGS["uncommitted"]
        # A batch committed (the cursor moves with it), the round not over, the next batch
        # under way (claims or mails ahead of what is committed).
        seen, cursors, seconds = watch(
            lambda s: s["cursor"] != 0
            and s["claimed"] < len(DUE)
            and max(s["claims_open"], s["mails_open"]) >= uncommitted,
            ARGS["timeout"],
        )
        if seen:
            os.kill(ARGS["pid"], signal.SIGKILL)
            # The server's transactions end with its connections.
            for _wait in range(300):
                if not one(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid != pg_backend_pid()",
                    [ARGS["db"]],
                ):
                    break
                time.sleep(0.1)
        result = {"at_kill": seen, "cursors": cursors, "seconds": seconds}
    elif MODE == "again":
        # The next day's round: the cron due again, everyone announced already.
        before = sample()["lastcall"]
        cr.execute(
            "UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') - interval '1 minute'"
            " WHERE id = %s",
            [ARGS["cron"]],
        )

        def over(seen):
            return (
                seen["lastcall"] != before
                and seen["rescheduled_later"]
                and not seen["triggers_due"]
            )

        seen, cursors, seconds = watch(
            lambda s: over(s) and s["cursor"] == 0,
            ARGS["timeout"],
            # Run for the day, nothing asked for, the round not over.
            stalled=lambda s: over(s) and s["cursor"] != 0,
        )
        result = {"finished": seen, "cursors": cursors, "seconds": seconds}
    else:
        seen, cursors, seconds = watch(
            lambda s: s["cursor"] == 0
            and s["claimed"] == len(DUE)
            and s["rescheduled_later"]
            and not s["triggers_due"],
            ARGS["timeout"],
        )
        result = {"finished": seen, "cursors": cursors, "seconds": seconds}
    result.update(state(), cursor=sample()["cursor"])
    print("RESULT=" + json.dumps(result), flush=True)


main()
