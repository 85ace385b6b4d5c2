from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..models.policy import EDITABLE, POLICY
from . import policy
from .common import (
    CODE_STEP,
    PASSWORD,
    SETUP_PATH,
    TotpPolicyCase,
    inside_address,
    outside_address,
    totp_code,
)

FIELD = "groups_id"


@tagged("post_install", "-at_install")
class TestWebLogin(TotpPolicyCase):
    def test_password_step_leads_to_setup_page(self):
        """Door 1: an enforced user without an app is held at the setup page."""
        user = self.make_user("tp_web_setup")
        self.assertEqual(user.totp_policy_status, "missing")
        location = self.location(self.web_login(user.login))
        self.assertEqual(self.path_of(location), SETUP_PATH)
        page, secret = self.setup_page(location)
        self.assertIn("otpauth://totp/", page.text)
        self.assertIn('name="code"', page.text)
        self.assertIn("data:image/png;base64,", page.text)
        self.assertEqual(len("".join(secret.split())), 32)
        # Nothing else is reachable before the code is entered.
        backend = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertNotEqual(backend.status_code, 200)
        self.assertIn("error", self.call_kw("res.users", "search_read", [[]]))

    def test_enrol_then_use_backend(self):
        """Legitimate path: enrol with a correct code, then use the backend."""
        user = self.make_user("tp_web_enrol")
        location = self.location(self.web_login(user.login, redirect="/web?debug=0"))
        page, secret = self.setup_page(location)
        response = self.submit_code(page, totp_code(secret), redirect="/web?debug=0")
        self.assertEqual(self.path_of(self.location(response)), "/web")
        self.assertTrue(user.totp_enabled, "TOTP is stored in auth_totp's own field")
        backend = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertEqual(backend.status_code, 200)
        result = self.call_kw("res.users", "read", [[user.id], ["login"]])
        self.assertEqual(result.get("result", [{}])[0].get("login"), user.login)
        # The next login uses Odoo's own second step.
        location = self.location(self.web_login(user.login))
        self.assertEqual(self.path_of(location), CODE_STEP)

    def test_wrong_codes_are_rate_limited(self):
        """Door 1: after 5 wrong codes even the right code is refused."""
        user = self.make_user("tp_web_ratelimit")
        location = self.location(self.web_login(user.login))
        page, secret = self.setup_page(location)
        wrong = f"{(int(totp_code(secret)) + 500000) % 1000000:06d}"
        for _attempt in range(5):
            page = self.submit_code(page, wrong)
            self.assertEqual(page.status_code, 200)
            self.assertIn("Verification failed", page.text)
        page = self.submit_code(page, totp_code(secret))
        self.assertEqual(page.status_code, 200)
        self.assertIn("Too many wrong codes", page.text)
        self.assertFalse(user.totp_enabled)
        attempts = (
            self.env["totp.policy.attempt"].sudo().search([("user_id", "=", user.id)])
        )
        self.assertEqual(len(attempts), 5, "attempts are kept in the database")
        # Once the window has passed, the right code works again.
        self.env.cr.execute(
            "UPDATE totp_policy_attempt SET create_date = create_date - interval '16 minutes'"
            " WHERE user_id = %s",
            [user.id],
        )
        response = self.submit_code(page, totp_code(secret))
        self.assertEqual(response.status_code, 303)
        self.assertTrue(user.totp_enabled)

    def test_no_open_redirect(self):
        """Door 5: redirect parameters stay on this site."""
        user = self.make_user("tp_web_redirect")
        evil = "https://evil.example/steal"
        location = self.location(self.web_login(user.login, redirect=evil))
        self.assertNotIn("evil.example", location)
        page, secret = self.setup_page(f"{SETUP_PATH}?redirect=//evil.example/x")
        response = self.submit_code(
            page, totp_code(secret), redirect="//evil.example/x"
        )
        target = self.location(response)
        self.assertNotIn("evil.example", target)
        self.assertIn(self.path_of(target), ("/web", "/odoo", "/my", "/"))

    def test_enrolled_user_keeps_normal_flow(self):
        """Door 6: users with TOTP get Odoo's own second step."""
        user = self.make_user("tp_web_enrolled")
        secret = self.enable_totp(user)
        page = self.code_step_page(user.login)
        self.assertEqual(
            self.url_open(SETUP_PATH, allow_redirects=False).status_code, 303
        )
        response = self.post_code_step(page, totp_code(secret, 1))
        self.assertIn(self.path_of(self.location(response)), ("/web", "/odoo"))
        self.assertEqual(self.url_open(policy.BACKEND_HOME).status_code, 200)

    def test_core_policy_gives_app_enrolment_first(self):
        """With auth_totp.policy on, enforced users enrol an app, never an e-mail code."""
        self.env["ir.config_parameter"].sudo().set_param(
            "auth_totp.policy", "all_required"
        )
        user = self.make_user("tp_web_core", blocked=False)
        location = self.location(self.web_login(user.login))
        self.assertEqual(self.path_of(location), SETUP_PATH)
        response = self.url_open(CODE_STEP, allow_redirects=False)
        self.assertEqual(self.path_of(self.location(response)), SETUP_PATH)

    def test_grace_period_banner(self):
        """Grace: the user works, sees a banner with the deadline, then is held."""
        if not POLICY["grace_days"]:
            user = self.make_user("tp_web_nograce", blocked=False)
            location = self.location(self.web_login(user.login))
            self.assertEqual(self.path_of(location), SETUP_PATH)
            return
        user = self.make_user("tp_web_grace", blocked=False)
        self.assertEqual(user.totp_policy_status, "grace")
        location = self.location(self.web_login(user.login))
        self.assertNotEqual(self.path_of(location), SETUP_PATH)
        page = self.url_open(policy.BACKEND_HOME)
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_totp_policy_banner", page.text)
        self.assertIn(SETUP_PATH, page.text)
        # The deadline passes: the same session is now held at setup.
        user.write(
            {"totp_policy_grace_start": fields.Datetime.now() - timedelta(days=400)}
        )
        response = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertEqual(self.path_of(self.location(response)), SETUP_PATH)


@tagged("post_install", "-at_install")
class TestSessions(TotpPolicyCase):
    # Ways a user the policy does not hold yet comes under it: each returns
    # (user, internal, apply) or None when this policy does not allow it;
    # apply() brings the policy to the user, past any grace period.

    def later_by_settings_exception(self, login, enforced, past):
        if not EDITABLE:
            return None
        # An administrator excepts a group of the user's, then takes it back.
        loophole = self.env["res.groups"].create({"name": "Totp policy test exception"})
        loophole.totp_policy_except = True
        user = self.make_user(login)
        user.write({FIELD: [(4, loophole.id)]})

        def apply():
            user.write({FIELD: [(3, loophole.id)], "totp_policy_grace_start": past})

        return user, True, apply

    def later_by_joining_a_group(self, login, enforced, past):
        if self.enforces([]):
            return None
        user = self.make_user(login, groups="base.group_user")
        groups = [(4, self.env.ref(xmlid).id) for xmlid in enforced.split(",")]

        def apply():
            user.write({FIELD: groups, "totp_policy_grace_start": past})

        return user, True, apply

    def later_by_leaving_an_excepted_group(self, login, enforced, past):
        for xmlid in POLICY["except_groups"]:
            if self.enforces([*enforced.split(","), xmlid]):
                continue
            excepted = self.env.ref(xmlid)
            user = self.make_user(login)
            user.write({FIELD: [(4, excepted.id)]})

            def apply(user=user, excepted=excepted):
                user.write({FIELD: [(3, excepted.id)], "totp_policy_grace_start": past})

            return user, True, apply
        return None

    def later_by_becoming_an_employee(self, login, enforced, past):
        if POLICY["portal_enforce"]:
            return None
        user = self.make_user(login, portal=True)
        groups = [(3, self.env.ref("base.group_portal").id)]
        groups += [(4, self.env.ref(xmlid).id) for xmlid in enforced.split(",")]

        def apply():
            user.write({FIELD: groups, "totp_policy_grace_start": past})

        return user, False, apply

    def later_by_the_end_of_grace(self, login, enforced, past):
        if not POLICY["grace_days"]:
            return None
        user = self.make_user(login, blocked=False)

        def apply():
            user.write({"totp_policy_grace_start": past})

        return user, True, apply

    def user_the_policy_applies_to_later(self, login):
        """A user the policy does not hold yet; skips when this policy has none."""
        enforced = self.enforced_groups()
        past = fields.Datetime.now() - timedelta(days=400)
        ways = (
            self.later_by_settings_exception,
            self.later_by_joining_a_group,
            self.later_by_leaving_an_excepted_group,
            self.later_by_becoming_an_employee,
            self.later_by_the_end_of_grace,
        )
        for way in ways if enforced else ():
            found = way(login, enforced, past)
            if found:
                self.assertIn(self.status(found[0]), ("not_required", "grace"))
                return found
        self.skipTest(
            "under this policy every user it enforces is held from the start: "
            "no session opens before it applies"
        )

    def test_existing_session_is_held(self):
        """Door 2: a session opened before the policy applied gets nothing."""
        user, internal, apply = self.user_the_policy_applies_to_later("tp_session_old")
        location = self.location(self.web_login(user.login))
        self.assertNotEqual(self.path_of(location), SETUP_PATH)
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)
        if internal:
            self.assertEqual(self.url_open(policy.BACKEND_HOME).status_code, 200)
        # The policy now applies to this user, past any grace period.
        apply()
        self.assertEqual(self.status(user), "missing")
        response = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertEqual(self.path_of(self.location(response)), SETUP_PATH)
        response = self.url_open("/my", allow_redirects=False)
        self.assertEqual(self.path_of(self.location(response)), SETUP_PATH)
        result = self.call_kw("res.partner", "search_read", [[]], {"fields": ["name"]})
        self.assertNotIn("result", result)
        self.assertIn("AccessDenied", result["error"]["data"]["name"])
        self.assertEqual(self.url_open(SETUP_PATH).status_code, 200)

    def test_removed_authenticator_is_held(self):
        """Door 2: a user whose authenticator was removed is held again."""
        user = self.make_user("tp_session_removed")
        secret = self.enable_totp(user)
        self.sign_in_with_app(user, secret)
        self.assertEqual(self.url_open(policy.BACKEND_HOME).status_code, 200)
        user.sudo().write({"totp_secret": False})
        response = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)

    def test_session_authenticate_gives_no_session(self):
        """Door 3: /web/session/authenticate with a password gives no usable session."""
        user = self.make_user("tp_session_json")
        result = self.session_authenticate(user.login)
        self.assertFalse(result.get("result", {}).get("uid"))
        self.assertIn(
            "error", self.call_kw("res.users", "read", [[user.id], ["login"]])
        )
        enrolled = self.make_user("tp_session_json_enrolled")
        self.enable_totp(enrolled)
        result = self.session_authenticate(enrolled.login)
        self.assertFalse(result.get("result", {}).get("uid"))

    def test_guard_adds_no_queries_for_compliant_users(self):
        """The per-request verdict is cached: no SQL for a compliant user."""
        user = self.make_user("tp_session_queries")
        self.enable_totp(user)
        user._totp_policy_verdict()
        with self.assertQueryCount(0):
            self.assertEqual(user._totp_policy_verdict(), "enrolled")


@tagged("post_install", "-at_install")
class TestRpc(TotpPolicyCase):
    def test_password_rpc(self):
        """Door 4: passwords over XML-RPC and JSON-RPC follow api.password_rpc."""
        fresh = self.make_user("tp_rpc_fresh")
        enrolled = self.make_user("tp_rpc_enrolled")
        self.enable_totp(enrolled)
        for user in (fresh, enrolled):
            uid = self.rpc_uid(user.login, PASSWORD)
            ok, _result = self.rpc_read(user.id, PASSWORD)
            json_ok, _json = self.jsonrpc(
                "object",
                "execute_kw",
                self.env.cr.dbname,
                user.id,
                PASSWORD,
                "res.users",
                "read",
                [[user.id], ["login"]],
            )
            if POLICY["password_rpc"] == "deny" or user == enrolled:
                self.assertFalse(uid, f"{user.login}: password accepted over XML-RPC")
                self.assertFalse(ok, f"{user.login}: password accepted by execute_kw")
                self.assertFalse(
                    json_ok, f"{user.login}: password accepted over JSON-RPC"
                )
            else:
                self.assertEqual(uid, user.id)
                self.assertTrue(ok)
                self.assertTrue(json_ok)

    def test_api_keys(self):
        """Door 4: API keys follow api.api_keys, enrolled or not."""
        fresh = self.make_user("tp_rpc_key_fresh")
        enrolled = self.make_user("tp_rpc_key_enrolled")
        self.enable_totp(enrolled)
        for user in (fresh, enrolled):
            key = self.api_key(user)
            ok, result = self.rpc_read(user.id, key)
            if POLICY["api_keys"] == "allow":
                self.assertTrue(ok, f"{user.login}: API key refused: {result}")
                self.assertEqual(result[0]["login"], user.login)
                self.assertEqual(self.rpc_uid(user.login, key), user.id)
            else:
                self.assertFalse(ok, f"{user.login}: API key accepted")
                self.assertFalse(self.rpc_uid(user.login, key))

    def key_allowed(self, user):
        """Whether the policy lets user sign in with an API key (inside its networks)."""
        enforced = self.status(user) in ("enrolled", "grace", "missing")
        return POLICY["api_keys"] == "allow" or not enforced

    def test_json2_bearer(self):
        """Door 4 (19.0+): /json/2 with an API key follows api.api_keys and api.networks."""
        if not policy.HAS_JSON2:
            self.skipTest("/json/2 is new in Odoo 19.0")
        user = self.make_user("tp_rpc_json2")
        key = self.api_key(user)
        ok, result = self.json2_read(user, key)
        self.assertEqual(ok, POLICY["api_keys"] == "allow", result)
        if ok:
            self.assertEqual(result[0]["login"], user.login)
        if POLICY["api_networks"]:
            outside = self.from_address(outside_address(POLICY["api_networks"]))
            ok, result = self.json2_read(user, key, headers=outside)
            self.assertFalse(ok, "/json/2 accepted from outside the API networks")

    def test_rpc_networks(self):
        """Door 4: with api.networks, RPC from elsewhere is refused whatever the credential."""
        networks = POLICY["api_networks"]
        if not networks:
            user = self.make_user("tp_rpc_anywhere")
            key = self.api_key(user)
            ok, _result = self.rpc_read(user.id, key, headers={})
            self.assertEqual(ok, POLICY["api_keys"] == "allow")
            return
        outside = self.from_address(outside_address(networks))
        user = self.make_user("tp_rpc_outside", groups="base.group_user")
        key = self.api_key(user)
        ok, _result = self.rpc_read(user.id, key, headers=outside)
        self.assertFalse(ok, "API key accepted from outside the API networks")
        self.assertFalse(self.rpc_uid(user.login, key, headers=outside))
        json_ok, _json = self.jsonrpc(
            "common",
            "authenticate",
            self.env.cr.dbname,
            user.login,
            key,
            {},
            headers=outside,
        )
        self.assertFalse(json_ok)
        for network in networks:
            inside = self.from_address(inside_address([network]))
            ok, result = self.rpc_read(user.id, key, headers=inside)
            self.assertEqual(ok, self.key_allowed(user), f"from {network}: {result}")


@tagged("post_install", "-at_install")
class TestExemptions(TotpPolicyCase):
    def test_exempt_logins_only_from_their_networks(self):
        """Exempt logins need no second factor inside their networks, and are refused elsewhere."""
        if not POLICY["exemptions"]:
            self.assertFalse(self.env["totp.policy.exemption"].sudo().search([]))
            return
        for exemption in POLICY["exemptions"]:
            login = exemption["logins"][0]
            user = self.env["res.users"].sudo().search([("login", "=", login)])
            if not user:
                user = self.make_user(login, groups="base.group_user")
            user.sudo().write({"password": PASSWORD})
            self.assertEqual(user.totp_policy_status, "exempt")
            if not exemption["networks"]:
                location = self.location(self.web_login(login))
                self.assertNotEqual(self.path_of(location), SETUP_PATH)
                continue
            for network in exemption["networks"]:
                inside = self.from_address(inside_address([network]))
                location = self.location(self.web_login(login, headers=inside))
                self.assertNotIn("/web/login", self.path_of(location))
                page = self.url_open(policy.BACKEND_HOME, headers=inside)
                self.assertEqual(page.status_code, 200)
                # The same session from elsewhere is refused.
                elsewhere = self.from_address(outside_address(exemption["networks"]))
                page = self.url_open(
                    policy.BACKEND_HOME, headers=elsewhere, allow_redirects=False
                )
                self.assertNotEqual(page.status_code, 200)
            outside = self.from_address(outside_address(exemption["networks"]))
            response = self.web_login(login, headers=outside)
            self.assertEqual(
                response.status_code, 200, "exempt login accepted from outside"
            )
            page = self.url_open(
                policy.BACKEND_HOME, headers=outside, allow_redirects=False
            )
            self.assertNotEqual(page.status_code, 200)
            self.assertFalse(self.rpc_uid(login, PASSWORD, headers=outside))


@tagged("post_install", "-at_install")
class TestPortal(TotpPolicyCase):
    def test_portal_user(self):
        """Portal users are enforced with portal.enforce, and can enrol."""
        user = self.make_user("tp_portal_user", portal=True)
        location = self.location(self.web_login(user.login))
        if not POLICY["portal_enforce"]:
            self.assertEqual(user.totp_policy_status, "not_required")
            self.assertNotEqual(self.path_of(location), SETUP_PATH)
            return
        self.assertEqual(self.path_of(location), SETUP_PATH)
        page, secret = self.setup_page(location)
        self.assertNotIn("oe_login_form card", page.text)
        response = self.submit_code(page, totp_code(secret))
        self.assertEqual(self.path_of(self.location(response)), "/my")
        self.assertTrue(user.totp_enabled)
        self.assertEqual(self.url_open("/my", allow_redirects=False).status_code, 200)


@tagged("post_install", "-at_install")
class TestAdministration(TotpPolicyCase):
    def test_status_and_filters(self):
        blocked = self.make_user("tp_admin_missing")
        enrolled = self.make_user("tp_admin_enrolled")
        self.enable_totp(enrolled)
        Users = self.env["res.users"].with_context(active_test=False)
        self.assertEqual(blocked.totp_policy_status, "missing")
        self.assertEqual(enrolled.totp_policy_status, "enrolled")
        self.assertIn(blocked, Users.search([("totp_policy_status", "=", "missing")]))
        self.assertNotIn(
            enrolled, Users.search([("totp_policy_status", "=", "missing")])
        )
        for xmlid in POLICY["enforce_groups"]:
            self.assertTrue(self.env.ref(xmlid).totp_policy_required, xmlid)
        for xmlid in POLICY["except_groups"]:
            self.assertFalse(self.env.ref(xmlid).totp_policy_required, xmlid)

    def test_settings(self):
        """Settings start from the policy, apply on the next request, and validate."""
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.totp_policy_grace_days, POLICY["grace_days"])
        self.assertEqual(settings.totp_policy_password_rpc, POLICY["password_rpc"])
        self.assertEqual(settings.totp_policy_editable, EDITABLE)
        enforced = {self.env.ref(xmlid).id for xmlid in POLICY["enforce_groups"]}
        self.assertEqual(set(settings.totp_policy_group_ids.ids), enforced)
        if not EDITABLE:
            settings.totp_policy_grace_days = POLICY["grace_days"] + 3
            with self.assertRaises(UserError):
                settings.execute()
            return
        # Settings refuse to hold every administrator at the setup page (see the
        # next test): they set up their own app first.
        self.enrol_administrators()
        user = self.make_user("tp_admin_settings")
        location = self.location(self.web_login(user.login))
        self.assertEqual(self.path_of(location), SETUP_PATH)
        extra = self.env["res.groups"].create({"name": "Totp policy test excepted"})
        user.write({"groups_id": [(4, extra.id)]})
        settings = self.env["res.config.settings"].create({})
        settings.totp_policy_except_group_ids = [(4, extra.id)]
        settings.execute()
        self.assertEqual(self.status(user), "not_required")
        location = self.location(self.web_login(user.login))
        self.assertNotEqual(self.path_of(location), SETUP_PATH)
        settings = self.env["res.config.settings"].create({})
        settings.totp_policy_rpc_networks = "10.0.0.1/8"
        with self.assertRaises(ValidationError):
            settings.execute()

    def test_settings_keep_an_administrator_out_of_setup(self):
        """Settings refuse a change that would hold every administrator at setup."""
        if not EDITABLE:
            self.skipTest("the policy is locked: Settings change nothing")
        admins = self.administrators()
        exempt = {login for item in POLICY["exemptions"] for login in item["logins"]}
        if set(admins.mapped("login")) & exempt:
            self.skipTest("an administrator is exempt: never held at the setup page")
        self.assertTrue(admins)
        for admin in admins:
            self.assertFalse(admin.totp_enabled, admin.login)

        def enforce_everyone_now():
            # Every internal user, no grace; the portal change makes it a change
            # even when the policy says so already.
            settings = self.env["res.config.settings"].create({})
            settings.totp_policy_group_ids = [(4, self.env.ref("base.group_user").id)]
            settings.totp_policy_except_group_ids = [(5, 0, 0)]
            settings.totp_policy_grace_days = 0
            settings.totp_policy_portal_grace_days += 1
            settings.execute()

        with self.assertRaisesRegex(ValidationError, "every administrator"):
            enforce_everyone_now()
        # With one administrator enrolled, the same change is accepted.
        self.enable_totp(admins[0])
        enforce_everyone_now()
        self.assertEqual(self.status(admins[0]), "enrolled")
        for admin in admins[1:]:
            self.assertEqual(self.status(admin), "missing", admin.login)
