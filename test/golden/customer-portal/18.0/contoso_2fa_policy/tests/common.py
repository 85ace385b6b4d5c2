import base64
import ipaddress
import json
import re
import time
import xmlrpc.client
from datetime import timedelta
from unittest import SkipTest
from urllib.parse import parse_qs, urlsplit

from odoo import fields
from odoo.tests import HttpCase, new_test_user
from odoo.tools import config, mute_logger

from odoo.addons.auth_totp.models.totp import hotp

from ..models.policy import POLICY
from ..models.totp_policy_recovery_code import RECOVERY_URL

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
SECRET_RE = re.compile(r'<code class="totp_policy_secret">([A-Z2-7 ]+)</code>')
SETUP_PATH = "/web/login/totp/setup"
# Odoo's own code step of the login.
CODE_STEP = "/web/login/totp"
# Refusals are expected here: keep them (and 19.0's RPC deprecation notice) out of the log.
QUIET_LOGGERS = (
    "odoo.http",
    "odoo.addons.rpc.controllers.jsonrpc",
    "odoo.addons.rpc.controllers.xmlrpc",
)
PASSWORD = "Totp-Policy-Test-1!"
OUTSIDE_CANDIDATES = ("198.51.100.77", "203.0.113.99", "2001:db8:ffff::77", "127.0.0.1")
# Groups of a user type: no internal user has them.
USER_TYPE_GROUPS = ("base.group_portal", "base.group_public")


def totp_code(secret, offset=0):
    key = base64.b32decode("".join(secret.split()))
    return f"{hotp(key, int(time.time() / 30) + offset):06d}"


def inside_address(networks):
    """An address inside the first of networks."""
    network = ipaddress.ip_network(networks[0])
    return str(network.network_address + (1 if network.num_addresses > 1 else 0))


def inside_all(*network_lists):
    """An address inside a network of each non-empty list; skips the test when there is none."""
    lists = [[ipaddress.ip_network(n) for n in nets] for nets in network_lists if nets]
    for network in [network for nets in lists for network in nets]:
        address = network.network_address + (1 if network.num_addresses > 1 else 0)
        if all(any(address in other for other in nets) for nets in lists):
            return str(address)
    raise SkipTest(f"no address lies in one network of each of {network_lists}")


def outside_address(networks):
    """An address outside all networks; skips the test when there is none."""
    parsed = [ipaddress.ip_network(n) for n in networks]
    for candidate in OUTSIDE_CANDIDATES:
        address = ipaddress.ip_address(candidate)
        if not any(address in network for network in parsed):
            return candidate
    raise SkipTest(
        f"no address lies outside {', '.join(networks)}: this policy lets them in "
        "from everywhere"
    )


def group_closure(groups):
    """groups and every group they imply."""
    closure = groups.browse()
    while groups:
        closure |= groups
        groups = groups.implied_ids - closure
    return closure


class TotpPolicyCase(HttpCase):
    """Helpers: web login, setup page, JSON and XML-RPC calls as an outside client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("auth_totp.policy", False)

    def setUp(self):
        super().setUp()
        old = config["proxy_mode"]
        config["proxy_mode"] = True
        self.addCleanup(config.__setitem__, "proxy_mode", old)

    # -- addresses ------------------------------------------------------

    def from_address(self, address):
        """Headers making a request come from address (Odoo runs in proxy mode)."""
        host = urlsplit(self.base_url()).netloc
        return {"X-Forwarded-For": address, "X-Forwarded-Host": host}

    def rpc_headers(self):
        """Headers for RPC calls from inside the policy's RPC networks, if any."""
        if POLICY["api_networks"]:
            return self.from_address(inside_address(POLICY["api_networks"]))
        return {}

    # -- users ----------------------------------------------------------

    def enforces(self, xmlids):
        """Whether the policy enforces an internal user with these groups."""
        ref = self.env.ref
        groups = group_closure(
            ref("base.group_user").union(*(ref(xmlid) for xmlid in xmlids))
        )
        ids = set(groups.ids)
        enforced = {ref(xmlid).id for xmlid in POLICY["enforce_groups"]}
        excepted = {ref(xmlid).id for xmlid in POLICY["except_groups"]}
        return bool(ids & enforced) and not ids & excepted

    def password_session_is_full(self, user):
        """Whether a password and a TOTP code give ``user`` a full session."""
        return True

    def enforced_groups(self):
        """Groups (xml ids, comma-separated) that make an internal user enforced.

        base.group_user and one enforced group whose members are not excepted;
        None when the policy enforces no internal user.
        """
        for xmlid in POLICY["enforce_groups"]:
            if xmlid not in USER_TYPE_GROUPS and self.enforces([xmlid]):
                return ",".join(dict.fromkeys(["base.group_user", xmlid]))
        return None

    def make_user(self, login, groups=None, blocked=True, portal=False):
        """A user with PASSWORD; blocked: past the grace period.

        Without groups, an internal user the policy enforces; the test is skipped
        when the policy enforces none.
        """
        enforced = groups is None
        if portal:
            groups = "base.group_portal"
        elif enforced:
            groups = self.enforced_groups()
            if groups is None:
                self.skipTest(
                    "this policy enforces no internal user (enforce_groups "
                    f"{POLICY['enforce_groups']}, except_groups "
                    f"{POLICY['except_groups']})"
                )
        user = new_test_user(self.env, login=login, groups=groups, password=PASSWORD)
        days = POLICY["portal_grace_days"] if portal else POLICY["grace_days"]
        start = fields.Datetime.now()
        if blocked:
            start -= timedelta(days=days + 1)
        user.sudo().write({"totp_policy_grace_start": start})
        if enforced and not portal:
            self.assertIn(
                self.status(user), ("missing", "grace"), f"{login} ({groups})"
            )
        return user

    def status(self, user):
        """The user's 2FA status now; leaves nothing cached for later reads."""
        names = ["totp_policy_status", "totp_policy_status_label"]
        user.invalidate_recordset(names)
        status = user.totp_policy_status
        user.invalidate_recordset(names)
        return status

    def administrators(self):
        """The active administrators (Settings or Access Rights), superuser aside."""
        users = self.env["res.users"].sudo().search([("share", "=", False)])
        return users.filtered(
            lambda user: user.id != 1 and user.has_group("base.group_erp_manager")
        )

    def enrol_administrators(self):
        """Administrators set up their app first, as the addon asks them to."""
        for admin in self.administrators():
            if self.status(admin) in ("missing", "grace"):
                self.enable_totp(admin)

    def enable_totp(self, user):
        secret = user._totp_policy_new_secret()
        user.with_user(user)._totp_try_setting(secret, int(totp_code(secret)))
        self.assertTrue(user.totp_enabled)
        return secret

    # -- web ------------------------------------------------------------

    def fresh_client(self):
        self.opener.cookies.clear()

    def csrf(self, response):
        match = CSRF_RE.search(response.text)
        self.assertTrue(match, "no CSRF token in the page")
        return match.group(1)

    def web_login(self, login, password=PASSWORD, redirect=None, headers=None):
        """Password step of /web/login in a new client; returns the response."""
        self.fresh_client()
        page = self.url_open("/web/login", headers=headers)
        data = {"login": login, "password": password, "csrf_token": self.csrf(page)}
        if redirect is not None:
            data["redirect"] = redirect
        return self.url_open(
            "/web/login", data=data, headers=headers, allow_redirects=False
        )

    def location(self, response):
        self.assertIn(response.status_code, (301, 302, 303), response.text[:500])
        return response.headers["Location"]

    def path_of(self, url):
        return urlsplit(url).path

    def code_step_page(self, login, headers=None):
        """Password step in a new client, then Odoo's code step page."""
        location = self.location(self.web_login(login, headers=headers))
        self.assertEqual(self.path_of(location), CODE_STEP)
        page = self.url_open(location, headers=headers)
        self.assertEqual(page.status_code, 200)
        return page

    def post_code_step(self, page, token, headers=None, **extra):
        """``token`` sent from the code step ``page``; the response, not followed."""
        data = {"totp_token": token, "csrf_token": self.csrf(page), **extra}
        return self.url_open(
            CODE_STEP, data=data, headers=headers, allow_redirects=False
        )

    def code_step(self, login, token, headers=None):
        """Password, then ``token`` at Odoo's code step; the response, not followed."""
        return self.post_code_step(self.code_step_page(login, headers), token, headers)

    def sign_in_with_app(self, user, secret):
        """Password, then the app's next code: the session is signed in."""
        response = self.code_step(user.login, totp_code(secret, 1))
        self.assertNotIn("/web/login", self.path_of(self.location(response)))

    def sign_in(self, user, secret):
        """A full web session of enrolled ``user``, signed in as the policy asks."""
        self.sign_in_with_app(user, secret)

    def setup_page(self, url=SETUP_PATH):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(self.path_of(page.url), SETUP_PATH, "not held at setup")
        match = SECRET_RE.search(page.text)
        self.assertTrue(match, "the setup page shows no secret")
        return page, match.group(1)

    def post_setup_code(self, page, code, redirect=None):
        """The setup form of ``page`` sent with ``code``; the response, not followed."""
        data = {"code": code, "csrf_token": self.csrf(page)}
        if redirect is not None:
            data["redirect"] = redirect
        return self.url_open(SETUP_PATH, data=data, allow_redirects=False)

    def submit_code(self, page, code, redirect=None):
        """``post_setup_code``, then what the addon shows once after an enrolment."""
        response = self.post_setup_code(page, code, redirect)
        if response.status_code == 303:
            # The first page after enrolment shows the recovery codes (once).
            self.url_open(RECOVERY_URL)
        return response

    @mute_logger(*QUIET_LOGGERS)
    def call_kw(self, model, method, args, kwargs=None):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    @mute_logger(*QUIET_LOGGERS)
    def session_authenticate(self, login, password=PASSWORD):
        self.fresh_client()
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"db": self.env.cr.dbname, "login": login, "password": password},
        }
        response = self.url_open(
            "/web/session/authenticate",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    # -- rpc ------------------------------------------------------------

    @mute_logger(*QUIET_LOGGERS)
    def xmlrpc(self, service, method, *args, headers=None):
        """An XML-RPC call; returns (True, result) or (False, fault or status)."""
        self.fresh_client()
        body = xmlrpc.client.dumps(args, method, allow_none=True)
        all_headers = {"Content-Type": "text/xml"}
        all_headers.update(self.rpc_headers() if headers is None else headers)
        response = self.url_open(f"/xmlrpc/2/{service}", data=body, headers=all_headers)
        if response.status_code != 200:
            return False, response.status_code
        try:
            return True, xmlrpc.client.loads(response.text)[0][0]
        except xmlrpc.client.Fault as fault:
            return False, fault

    def rpc_uid(self, login, secret, headers=None):
        ok, uid = self.xmlrpc(
            "common",
            "authenticate",
            self.env.cr.dbname,
            login,
            secret,
            {},
            headers=headers,
        )
        return uid if ok else False

    def rpc_read(self, uid, secret, headers=None):
        return self.xmlrpc(
            "object",
            "execute_kw",
            self.env.cr.dbname,
            uid,
            secret,
            "res.users",
            "read",
            [[uid], ["login"]],
            headers=headers,
        )

    @mute_logger(*QUIET_LOGGERS)
    def jsonrpc(self, service, method, *args, headers=None):
        self.fresh_client()
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(self.rpc_headers() if headers is None else headers)
        response = self.url_open(
            "/jsonrpc", data=json.dumps(payload), headers=all_headers
        )
        if response.status_code != 200:
            return False, response.status_code
        result = response.json()
        if "error" in result:
            return False, result["error"]
        return True, result["result"]

    @mute_logger(*QUIET_LOGGERS)
    def json2_read(self, user, key, headers=None):
        """/json/2 (19.0+): read the user's own login with a bearer API key."""
        self.fresh_client()
        all_headers = {
            "Content-Type": "application/json",
            "Authorization": f"bearer {key}",
            "X-Odoo-Database": self.env.cr.dbname,
        }
        all_headers.update(self.rpc_headers() if headers is None else headers)
        response = self.url_open(
            "/json/2/res.users/read",
            data=json.dumps({"ids": [user.id], "fields": ["login"]}),
            headers=all_headers,
        )
        if response.status_code != 200:
            return False, response.status_code
        return True, response.json()

    def api_key(self, user):
        keys = self.env["res.users.apikeys"].with_user(user)
        expiration = (fields.Datetime.now() + timedelta(days=1),)
        return keys._generate(None, "totp policy test", *expiration)

    def redirect_param(self, location):
        values = parse_qs(urlsplit(location).query).get("redirect")
        return values[0] if values else None
