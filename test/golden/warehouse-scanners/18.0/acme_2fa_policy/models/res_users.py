import base64
import contextvars
import ipaddress
import logging
import os
from datetime import timedelta

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessDenied
from odoo.http import request

from odoo.addons.auth_totp.models.totp import TOTP_SECRET_SIZE

from .policy import (
    EDITABLE,
    ENFORCED_KINDS,
    ENFORCED_VERDICTS,
    PARAM_RPC_NETWORKS,
    PARAM_START_DATE,
    POLICY,
    POLICY_PARAMS,
    STATUSES,
    in_grace,
    read_params,
    status_of,
)

_logger = logging.getLogger(__name__)

SETUP_MFA_TYPE = "totp_policy_setup"
SETUP_URL = "/web/login/totp/setup"
# Code attempts per user, whatever the path (setup page, login code step, recovery
# codes), the client address or the server: counted in the database.
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
# Namespace of the per-user advisory lock taken while counting an attempt.
ATTEMPT_LOCK_KEY = 0x2FA
# Headers a reverse proxy sets: when one is present but Odoo did not apply it
# (no X-Forwarded-Host, or no --proxy-mode), the address Odoo sees is the proxy's.
# Read as WSGI variables: requests Odoo fakes (its tests, check_identity) have an
# environ but no headers.
FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def parse_networks(text):
    """Parse a comma/space/newline separated list of CIDRs (invalid entries raise)."""
    items = (text or "").replace(",", " ").split()
    return tuple(ipaddress.ip_network(item.strip(), strict=True) for item in items)


# The client address of the request being dispatched: XML-RPC and JSON-RPC calls run
# without ``request`` (odoo.http.borrow_request), so ir.http keeps it here.
CLIENT_ADDRESS = contextvars.ContextVar("totp_policy_client_address", default=None)
_warned_unattributed = []


def request_address(httprequest):
    """The client address of ``httprequest``, or None when Odoo cannot know it.

    A request that carries a proxy's forwarding header which Odoo did not apply
    comes from a proxy: its address is the proxy's, never the client's.
    """
    environ = httprequest.environ or {}
    if "werkzeug.proxy_fix.orig" not in environ and any(
        header in environ for header in FORWARDING_HEADERS
    ):
        if not _warned_unattributed:
            _warned_unattributed.append(True)
            _logger.warning(
                "2FA policy: requests arrive through a proxy whose client address "
                "Odoo does not apply, so no exemption or API network applies to "
                "them. The proxy must send X-Forwarded-Host and X-Forwarded-For, "
                "and Odoo must run with --proxy-mode (odoo-2fa proxy writes such a "
                "snippet)."
            )
        return None
    # What werkzeug's remote_addr reads, after Odoo's ProxyFix when it applied.
    return environ.get("REMOTE_ADDR")


def client_address():
    """The client address as Odoo sees it (proxy mode included), or None."""
    if request:
        return request_address(request.httprequest)
    return CLIENT_ADDRESS.get()


def address_in(networks):
    """Whether the current client address is in networks (unknown: no)."""
    try:
        address = ipaddress.ip_address(client_address() or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


class ResUsers(models.Model):
    _inherit = "res.users"

    totp_policy_grace_start = fields.Datetime(
        string="2FA policy applies since",
        copy=False,
        readonly=True,
        groups="base.group_system",
        help="When the two-factor policy first applied to this user; the grace "
        "period is counted from this moment.",
    )
    totp_policy_status = fields.Selection(
        selection=STATUSES,
        string="2FA",
        compute="_compute_totp_policy_status",
        search="_search_totp_policy_status",
        compute_sudo=True,
    )
    totp_policy_status_label = fields.Char(
        string="2FA status",
        compute="_compute_totp_policy_status",
        compute_sudo=True,
    )

    def init(self):
        super().init()
        # Stamping the grace start reads only the users who have none yet.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS res_users_totp_policy_unstamped_idx
                ON res_users (id) WHERE totp_policy_grace_start IS NULL
            """
        )
        # Odoo keeps the table of a model removed from code: the data of a switch
        # the policy has turned off goes with it.
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_audit")
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_compliance")
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_notification")
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_recovery_code")
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_temporary_access")

    # ------------------------------------------------------------------
    # Policy (cached; invalidated with the registry cache)
    # ------------------------------------------------------------------

    @api.model
    @tools.ormcache()
    def _totp_policy_config(self):
        """The policy in force, read once per cache generation.

        While the policy is editable it is what the database holds (Settings);
        otherwise it is what this addon ships, whatever the database says.
        """
        # Each part in one query: Odoo clears this cache on every change of a
        # user's groups, and its own tests count the queries of such a change.
        params = self.env["ir.config_parameter"].sudo()
        stored = {
            param["key"]: param["value"]
            for param in params.search_read(
                [("key", "in", sorted(POLICY_PARAMS))], ["key", "value"]
            )
        }
        if EDITABLE:
            values = self._totp_policy_database_config(stored.get)
        else:
            values = self._totp_policy_shipped_config()
        start = stored.get(PARAM_START_DATE)
        values["start"] = fields.Datetime.to_datetime(start) if start else None
        public = self.env["ir.model.data"]._xmlid_to_res_id(
            "base.group_public", raise_if_not_found=False
        )
        (
            values["public_member_ids"],
            values["except_member_ids"],
            values["enforce_member_ids"],
        ) = self._totp_policy_members_of(
            [{public} if public else set(), values["except_ids"], values["enforce_ids"]]
        )
        return values

    @api.model
    def _totp_policy_members_of(self, group_sets):
        """For each set of group ids, the ids of the groups whose members belong to
        one of them, in one query.

        The set's groups themselves and every group implying one of them, directly
        or not: a user is a member of a set when one of the user's own groups is in
        its result.
        """
        roots = sorted(set().union(*group_sets))
        if not roots:
            return [frozenset() for _group_ids in group_sets]
        self.env["res.groups"].flush_model(["implied_ids"])
        self.env.cr.execute(
            """
            WITH RECURSIVE member_groups(root, id) AS (
                SELECT root, root FROM unnest(%s::int[]) AS root
                 UNION
                SELECT member_groups.root, rel.gid
                  FROM res_groups_implied_rel rel
                  JOIN member_groups ON rel.hid = member_groups.id
            )
            SELECT root, id FROM member_groups
            """,
            [roots],
        )
        members = {}
        for root, group_id in self.env.cr.fetchall():
            members.setdefault(root, set()).add(group_id)
        return [
            frozenset().union(*(members[root] for root in group_ids))
            for group_ids in group_sets
        ]

    @api.model
    def _totp_policy_states_query(self, where="TRUE", params=(), config=None):
        """The policy's rules over a set of users, as one SQL query.

        Returns ``(query, params)`` selecting ``id, login, kind, deadline`` for the
        users matching ``where`` (SQL over ``res_users u``): kind and deadline as
        ``_totp_policy_state`` describes them. The one definition of who the policy
        concerns: the per-user state, the status search, the grace stamping, the
        report and the notifications all read it. ``config``: the policy as
        ``_totp_policy_config`` returns it, when the caller has it already.
        """
        config = config or self._totp_policy_config()
        self.flush_model(
            [
                "active",
                "login",
                "share",
                "totp_secret",
                "totp_policy_grace_start",
                "groups_id",
            ]
        )
        # Group membership is one join over the memberships that matter, not an
        # EXISTS per user and rule: over every user the database hashes them once.
        query = f"""
            SELECT id, login, kind,
                   CASE WHEN kind = 'missing' AND grace_days != 0
                        THEN COALESCE(grace_start, %s) + grace_days * interval '1 day'
                   END AS deadline
              FROM (
                SELECT u.id, u.login, u.totp_policy_grace_start AS grace_start,
                       CASE WHEN COALESCE(u.share, FALSE) THEN %s ELSE %s END
                           AS grace_days,
                       CASE
                           WHEN NOT COALESCE(u.active, FALSE) OR u.id = %s
                               THEN 'not_required'
                           WHEN COALESCE(member.public, FALSE) THEN 'not_required'
                           WHEN u.login = ANY(%s::varchar[]) THEN 'exempt'
                           WHEN COALESCE(member.excepted, FALSE) THEN 'not_required'
                           WHEN CASE WHEN COALESCE(u.share, FALSE) THEN NOT %s
                                     ELSE NOT COALESCE(member.enforced, FALSE) END
                               THEN 'not_required'
                           WHEN COALESCE(u.totp_secret, '') != '' THEN 'enrolled'
                           ELSE 'missing'
                       END AS kind
                  FROM res_users u
                  LEFT JOIN (
                    SELECT uid,
                           bool_or(gid = ANY(%s::int[])) AS public,
                           bool_or(gid = ANY(%s::int[])) AS excepted,
                           bool_or(gid = ANY(%s::int[])) AS enforced
                      FROM res_groups_users_rel
                     WHERE gid = ANY(%s::int[])
                     GROUP BY uid
                  ) AS member ON member.uid = u.id
                 WHERE {where}
              ) AS totp_policy_state
        """
        return query, [
            config["start"],
            config["portal_grace_days"],
            config["grace_days"],
            SUPERUSER_ID,
            sorted(config["exemptions"]),
            config["portal_enforce"],
            sorted(config["public_member_ids"]),
            sorted(config["except_member_ids"]),
            sorted(config["enforce_member_ids"]),
            sorted(
                config["public_member_ids"]
                | config["except_member_ids"]
                | config["enforce_member_ids"]
            ),
            *params,
        ]

    @api.model
    def _totp_policy_statuses_query(self, where="TRUE", params=()):
        """``_totp_policy_states_query`` with each user's ``status`` (``status_of``
        in SQL, as of now): selects ``id, login, kind, deadline, status``."""
        query, params = self._totp_policy_states_query(where, params)
        query = f"""
            SELECT id, login, kind, deadline,
                   CASE WHEN kind = 'missing' AND deadline > %s THEN 'grace'
                        ELSE kind END AS status
              FROM ({query}) AS totp_policy_state_now
        """
        return query, [fields.Datetime.now(), *params]

    @api.model
    def _totp_policy_shipped_config(self):
        def group_ids(xml_ids):
            ids = set()
            for xml_id in xml_ids:
                group = self.env.ref(xml_id, raise_if_not_found=False)
                if group and group._name == "res.groups":
                    ids.add(group.id)
            return frozenset(ids)

        exemptions = {}
        for exemption in POLICY["exemptions"]:
            networks = parse_networks(" ".join(exemption["networks"]))
            for login in exemption["logins"]:
                exemptions[login] = (
                    exemptions.get(login, ()) + networks + (() if networks else (None,))
                )
        return {
            "enforce_ids": group_ids(POLICY["enforce_groups"]),
            "except_ids": group_ids(POLICY["except_groups"]),
            "grace_days": POLICY["grace_days"],
            "portal_enforce": POLICY["portal_enforce"],
            "portal_grace_days": POLICY["portal_grace_days"],
            "password_rpc": POLICY["password_rpc"],
            "api_keys": POLICY["api_keys"],
            "rpc_networks": parse_networks(" ".join(POLICY["api_networks"])),
            "exemptions": exemptions,
        }

    @api.model
    def _totp_policy_database_config(self, get_param):
        """The policy as Settings keep it; ``get_param``: its parameters' values."""
        groups = self.env["res.groups"].sudo().with_context(active_test=False)
        exemptions = {}
        exemption_model = self.env["totp.policy.exemption"].sudo()
        for exemption in exemption_model.search([]):
            try:
                networks = parse_networks(exemption.networks)
            except ValueError:
                _logger.warning("Ignoring invalid networks of %s", exemption.name)
                networks = ()
            for login in exemption._login_list():
                exemptions[login] = (
                    exemptions.get(login, ()) + networks + (() if networks else (None,))
                )
        values = read_params(get_param)
        try:
            rpc_networks = parse_networks(values["rpc_networks"])
        except ValueError:
            _logger.warning("Ignoring invalid %s", PARAM_RPC_NETWORKS)
            rpc_networks = ()
        flagged = groups.search_read(
            [
                "|",
                ("totp_policy_enforce", "=", True),
                ("totp_policy_except", "=", True),
            ],
            ["totp_policy_enforce", "totp_policy_except"],
        )
        return {
            "enforce_ids": frozenset(
                group["id"] for group in flagged if group["totp_policy_enforce"]
            ),
            "except_ids": frozenset(
                group["id"] for group in flagged if group["totp_policy_except"]
            ),
            **values,
            "rpc_networks": rpc_networks,
            "exemptions": exemptions,
        }

    @api.model
    @tools.ormcache("uid")
    def _totp_policy_state(self, uid):
        """``(kind, deadline, networks)`` for one user.

        kind is ``not_required``, ``exempt`` (networks: where the exemption holds,
        ``None`` inside means anywhere), ``enrolled`` or ``missing`` (deadline: end
        of the grace period, ``None`` when there is none).
        """
        # Plain SQL: this runs during authentication too, before the ORM has a
        # request environment to compute fields with.
        query, params = self._totp_policy_states_query("u.id = %s", [uid])
        self.env.cr.execute(query, params)
        row = self.env.cr.fetchone()
        if not row:
            return ("not_required", None, ())
        _id, login, kind, deadline = row
        if kind == "exempt":
            return ("exempt", None, self._totp_policy_config()["exemptions"][login])
        return (kind, deadline, ())

    @api.model
    def _totp_policy_applies(self, uid):
        """Whether the policy enforces user ``uid``, enrolled or not (cached)."""
        return self._totp_policy_state(uid)[0] in ENFORCED_KINDS

    def _totp_policy_verdict(self):
        """What the policy says about this user for the current request.

        One of ``not_required``, ``exempt`` (inside an exempt network),
        ``exempt_outside`` (an exempt login outside its networks), ``enrolled``,
        ``grace`` (not enrolled, grace running) or ``blocked`` (must set up now).
        """
        self.ensure_one()
        kind, deadline, networks = self._totp_policy_state(self.id)
        if kind == "exempt":
            if None in networks or address_in(networks):
                return "exempt"
            return "exempt_outside"
        if kind == "missing":
            if in_grace(deadline, fields.Datetime.now()):
                return "grace"
            return "blocked"
        return kind

    def _totp_policy_deadline(self):
        self.ensure_one()
        return self._totp_policy_state(self.id)[1]

    def _totp_policy_clear_cache(self):
        self.env.registry.clear_cache()

    # ------------------------------------------------------------------
    # Status for administrators
    # ------------------------------------------------------------------

    @api.depends(
        "active",
        "share",
        "totp_secret",
        "totp_policy_grace_start",
        "groups_id",
    )
    def _compute_totp_policy_status(self):
        labels = dict(
            self._fields["totp_policy_status"]._description_selection(self.env)
        )
        for user in self:
            if not user.id:
                user.totp_policy_status = False
                user.totp_policy_status_label = False
                continue
            kind, deadline, _networks = self._totp_policy_state(user.id)
            status = status_of(kind, deadline, fields.Datetime.now())
            user.totp_policy_status = status
            if status == "grace":
                user.totp_policy_status_label = _(
                    "In grace until %(date)s",
                    date=fields.Date.to_string(deadline.date()),
                )
            else:
                user.totp_policy_status_label = labels[status]

    def _search_totp_policy_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise NotImplementedError(_("Unsupported search on the 2FA status."))
        values = [value] if isinstance(value, str) else list(value or ())
        statuses = [v for v in values if isinstance(v, str)]
        query, params = self.sudo()._totp_policy_statuses_query()
        # A sub-select: the database picks the users, no list of ids goes
        # through Python (the users list's filters over 100,000 portal users).
        matching = tools.SQL(
            f"(SELECT id FROM ({query}) AS state WHERE status = ANY(%s::varchar[]))",
            *params,
            statuses,
        )
        return [("id", "in" if operator in ("=", "in") else "not in", matching)]

    # ------------------------------------------------------------------
    # Grace period start, kept in the database
    # ------------------------------------------------------------------

    @api.model
    def _totp_policy_stamp_grace(self, config=None):
        """Record when the policy starts applying to users who have no date yet.

        Works on ``self``, or on every user when called on an empty recordset.
        ``config``: the policy, when the caller read it before a write of users
        (see ``write``).
        """
        self._totp_policy_clear_cache()
        where, params = "u.totp_policy_grace_start IS NULL", []
        if self:
            where, params = f"{where} AND u.id = ANY(%s)", [self.ids]
        query, params = self._totp_policy_states_query(where, params, config)
        self.env.cr.execute(
            f"""
            UPDATE res_users SET totp_policy_grace_start = %s
             WHERE id IN (
                SELECT id FROM ({query}) AS state
                 WHERE kind IN ('missing', 'enrolled')
             )
            RETURNING id
            """,
            [fields.Datetime.now(), *params],
        )
        stamped = self.browse([user_id for (user_id,) in self.env.cr.fetchall()])
        if stamped:
            stamped.invalidate_recordset(["totp_policy_grace_start"])
            self._totp_policy_clear_cache()

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        # No user created, none to stamp (an empty recordset would stamp all).
        if users:
            users._totp_policy_stamp_grace()
        return users

    def write(self, vals):
        # Odoo's own flows write groups on empty recordsets too (mail, on every
        # change of a user's groups): no user, nothing to stamp.
        stamp = bool(self) and bool({"groups_id", "active", "share"} & set(vals))
        # The policy, read before Odoo's write clears the caches it is kept in:
        # a write of users changes no policy, and stamping then costs one query,
        # not a rereading of the policy on every change of a user's groups.
        config = self._totp_policy_config() if stamp else None
        res = super().write(vals)
        watched = {
            "groups_id",
            "active",
            "login",
            "share",
            "totp_secret",
            "totp_policy_grace_start",
        }
        if watched & set(vals):
            self._totp_policy_clear_cache()
            if stamp:
                self._totp_policy_stamp_grace(config)
        return res

    # ------------------------------------------------------------------
    # Authentication hooks
    # ------------------------------------------------------------------

    def _mfa_type(self):
        current = super()._mfa_type()
        if current == "totp" or not self:
            return current
        verdict = self._totp_policy_verdict()
        if verdict == "exempt":
            return None
        if verdict == "blocked" or (verdict == "grace" and current is not None):
            # App enrolment first, never an e-mailed code.
            return SETUP_MFA_TYPE
        return current

    def _mfa_url(self):
        if self and self._mfa_type() == SETUP_MFA_TYPE:
            return SETUP_URL
        return super()._mfa_url()

    def _rpc_api_keys_only(self):
        self.ensure_one()
        if self._totp_policy_config()["password_rpc"] == "deny" and (
            self._totp_policy_verdict() in ENFORCED_VERDICTS
        ):
            return True
        return super()._rpc_api_keys_only()

    def _totp_policy_check_address(self, interactive):
        """Refuse this user's credentials from where the policy does not allow them.

        Runs on every authentication, including XML-RPC calls whose credentials
        Odoo has cached (``check`` below).
        """
        user = self.env.user
        verdict = user._totp_policy_verdict()
        if verdict == "exempt_outside":
            _logger.info(
                "2FA policy: exempt login %r refused from this address", user.login
            )
            self._totp_policy_refused(user, "exempt_refused")
            if client_address() is None:
                raise AccessDenied(
                    _(
                        "This login is only allowed from its own networks, and the "
                        "server cannot tell where this request comes from (its "
                        "proxy does not forward the client address)."
                    )
                )
            raise AccessDenied()
        if not interactive:
            networks = self._totp_policy_config()["rpc_networks"]
            if networks and not address_in(networks):
                _logger.info("2FA policy: RPC refused from outside the API networks")
                raise AccessDenied()

    def _check_credentials(self, credential, env):
        interactive = (env or {}).get("interactive", True)
        self._totp_policy_check_address(interactive)
        user = self.env.user
        try:
            return super()._check_credentials(credential, env)
        except AccessDenied:
            if not interactive and user._rpc_api_keys_only():
                self._totp_policy_refused(user, "rpc_refused")
            raise

    def _totp_policy_refused(self, user, refusal):
        """Called when the policy refuses ``user``'s credentials, for extensions.

        ``refusal`` is ``exempt_refused`` (an exempt login outside its networks)
        or ``rpc_refused`` (a password over RPC where only API keys are accepted).
        """

    def _totp_policy_event(self, user, event, description=False):
        """Called when a feature changes something about ``user``, for extensions.

        ``event`` names what happened (e.g. ``temporary_access_issued``); the
        audit trail records it, in the transaction that makes the change.
        """

    def _totp_policy_event_labels(self):
        """What the events of ``_totp_policy_event`` are called, by event."""
        return {}

    @classmethod
    def check(cls, db, uid, passwd):
        # Odoo caches a successful (uid, password): the address rule holds on
        # every call all the same.
        super().check(db, uid, passwd)
        with cls.pool.cursor() as cr:
            api.Environment(cr, uid, {})[cls._name]._totp_policy_check_address(False)

    # ------------------------------------------------------------------
    # Setup page
    # ------------------------------------------------------------------

    @api.model
    def _totp_policy_new_secret(self):
        secret = base64.b32encode(os.urandom(TOTP_SECRET_SIZE // 8)).decode()
        return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

    def _totp_policy_take_attempt(self):
        """Count one code attempt of this user; False once the limit is reached.

        Counted in a transaction of its own, committed before the code is checked,
        under a lock per user and with a fresh snapshot, so attempts made in
        parallel, from other addresses or on other servers all count.
        """
        self.ensure_one()
        # Odoo serves a request again after a serialization failure: the code it
        # carries is one attempt, however often the request is retried.
        counted = None
        if request:
            counted = getattr(request, "totp_policy_counted", frozenset())
            if self.id in counted:
                return True
        since = fields.Datetime.now() - WRONG_CODE_WINDOW
        with self.env.registry.cursor() as cr:
            # A fresh transaction sees every committed attempt (tests share theirs).
            if cr._cnx.get_transaction_status() == TRANSACTION_STATUS_IDLE:
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ATTEMPT_LOCK_KEY, self.id]
            )
            cr.execute(
                """
                SELECT count(*) FROM totp_policy_attempt
                 WHERE user_id = %s AND create_date >= %s
                """,
                [self.id, since],
            )
            if cr.fetchone()[0] >= MAX_WRONG_CODES:
                _logger.info("2FA: code attempt limit reached for %r", self.login)
                return False
            cr.execute(
                """
                INSERT INTO totp_policy_attempt
                       (user_id, create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
                """,
                [self.id, self.env.uid, self.env.uid],
            )
        if counted is not None:
            request.totp_policy_counted = counted | {self.id}
        return True

    def _totp_policy_too_many_attempts(self):
        return _(
            "Too many wrong codes. For your security, no code is accepted for "
            "15 minutes; please try again later."
        )

    def _totp_policy_forget_attempts(self):
        """A right code: the user's count starts again."""
        self.ensure_one()
        with self.env.registry.cursor() as cr:
            cr.execute("DELETE FROM totp_policy_attempt WHERE user_id = %s", [self.id])

    def _totp_policy_try_code(self, secret, code):
        """Enable TOTP with ``secret`` if ``code`` matches; returns an error or None."""
        self.ensure_one()
        if not self._totp_policy_take_attempt():
            return self._totp_policy_too_many_attempts()
        try:
            value = int("".join((code or "").split()))
        except ValueError:
            value = None
        if value is not None and self.with_user(self)._totp_try_setting(secret, value):
            self._totp_policy_forget_attempts()
            return None
        return _("Verification failed, please double-check the 6-digit code.")

    def _totp_policy_count_attempt(self, check):
        """Run ``check`` (a code check that raises when wrong) as one counted attempt."""
        if not self.sudo()._totp_policy_take_attempt():
            raise AccessDenied(self._totp_policy_too_many_attempts())
        result = check()
        self.sudo()._totp_policy_forget_attempts()
        return result

    def _totp_check(self, code):
        # The login code step: bounded per user, not only per client address.
        return self._totp_policy_count_attempt(
            lambda: super(ResUsers, self)._totp_check(code)
        )

    def _totp_policy_banner_deadline(self):
        """The grace deadline (as text) to show in the banner, or False."""
        self.ensure_one()
        user = self.sudo()
        if user._totp_policy_verdict() != "grace":
            return False
        return fields.Date.to_string(user._totp_policy_deadline().date())
