from urllib.parse import urlsplit

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import config, mute_logger

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from ..models import res_users, totp_policy_deployment
from ..models.policy import (
    DIGEST,
    EDITABLE,
    PARAM_DEPLOYED_DIGEST,
    PARAM_GRACE_DAYS,
    POLICY,
)
from ..models.totp_policy_deployment import SIGNAL_CURRENT
from .common import (
    PASSWORD,
    QUIET_LOGGERS,
    SETUP_PATH,
    TotpPolicyCase,
    inside_address,
    inside_all,
    outside_address,
    totp_code,
)

# The loggers whose expected warnings these tests provoke.
RES_USERS_LOGGER = res_users._logger.name
DEPLOYMENT_LOGGER = totp_policy_deployment._logger.name
EVIL_TARGETS = (
    "/%5Cevil.example",
    "/\\evil.example",
    "//evil.example",
    "https://evil.example",
)


def exempt_with_networks():
    """An exemption of the policy that holds only from some networks, or None."""
    for exemption in POLICY["exemptions"]:
        if exemption["networks"] and exemption["logins"]:
            return exemption
    return None


@tagged("post_install", "-at_install")
class TestDoors(TotpPolicyCase):
    """Each door an attacker tried, shut, and the legitimate path beside it."""

    def exempt_user(self, exemption):
        login = exemption["logins"][0]
        user = self.env["res.users"].search([("login", "=", login)])
        return user or new_test_user(
            self.env, login=login, groups="base.group_user", password=PASSWORD
        )

    # -- addresses ------------------------------------------------------

    def test_rpc_address_rule_holds_after_a_cached_call(self):
        """Odoo caches a good (uid, password): the address rule holds on every call."""
        exemption = exempt_with_networks()
        if POLICY["api_networks"] and POLICY["api_keys"] == "allow":
            user = self.make_user("tp_doors_rpc_cache", blocked=False)
            self.enable_totp(user)
            key = self.api_key(user)
            inside = self.from_address(inside_address(POLICY["api_networks"]))
            outside = self.from_address(outside_address(POLICY["api_networks"]))
        elif POLICY["api_networks"] and POLICY["password_rpc"] == "allow":
            user = self.make_user("tp_doors_rpc_cache", blocked=False)
            key = PASSWORD
            inside = self.from_address(inside_address(POLICY["api_networks"]))
            outside = self.from_address(outside_address(POLICY["api_networks"]))
        elif exemption:
            user = self.exempt_user(exemption)
            key = PASSWORD
            # Inside its networks and, for RPC, inside the API networks too.
            address = inside_all(exemption["networks"], POLICY["api_networks"])
            inside = self.from_address(address)
            outside = self.from_address(outside_address(exemption["networks"]))
        else:
            self.skipTest("the policy limits no credential to networks")
        ok, result = self.rpc_read(user.id, key, headers=inside)
        self.assertTrue(ok, result)
        for _attempt in range(2):
            ok, result = self.rpc_read(user.id, key, headers=outside)
            self.assertFalse(ok, "refused from outside after a cached inside call")
        ok, result = self.rpc_read(user.id, key, headers=inside)
        self.assertTrue(ok, result)

    @mute_logger(*QUIET_LOGGERS, RES_USERS_LOGGER)
    def test_forwarded_for_that_odoo_did_not_apply_is_not_trusted(self):
        """A proxy that forwards the client without X-Forwarded-Host: no exemption."""
        exemption = exempt_with_networks()
        if not exemption:
            self.skipTest("the policy has no exemption limited to networks")
        user = self.exempt_user(exemption)
        inside = inside_address(exemption["networks"])
        # The seed-style nginx snippet: X-Forwarded-For and X-Real-IP only.
        misconfigured = {"X-Forwarded-For": inside, "X-Real-IP": inside}
        response = self.web_login(user.login, headers=misconfigured)
        self.assertEqual(response.status_code, 200, "no session through such a proxy")
        self.assertIn("cannot tell where this request comes from", response.text)
        # The same headers while Odoo runs without --proxy-mode.
        config["proxy_mode"] = False
        response = self.web_login(user.login, headers=self.from_address(inside))
        self.assertEqual(response.status_code, 200)
        config["proxy_mode"] = True
        # A correctly configured proxy: the exempt device logs in on its network.
        response = self.web_login(user.login, headers=self.from_address(inside))
        self.assertNotEqual(self.path_of(self.location(response)), "/web/login")

    def test_exempt_cookie_outside_opens_nothing(self):
        """An exempt session used outside its networks: no setup page, no enrolment."""
        exemption = exempt_with_networks()
        if not exemption:
            self.skipTest("the policy has no exemption limited to networks")
        user = self.exempt_user(exemption)
        inside = self.from_address(inside_address(exemption["networks"]))
        outside = self.from_address(outside_address(exemption["networks"]))
        self.location(self.web_login(user.login, headers=inside))
        for path in (SETUP_PATH, "/web"):
            response = self.url_open(path, headers=outside, allow_redirects=False)
            self.assertEqual(self.path_of(self.location(response)), "/web/login")
        # The session is gone, inside too.
        response = self.url_open("/web", headers=inside, allow_redirects=False)
        self.assertEqual(self.path_of(self.location(response)), "/web/login")
        self.assertFalse(user.totp_enabled)

    # -- sessions -------------------------------------------------------

    @mute_logger("odoo.addons.web.controllers.binary", "odoo.http")
    def test_held_session_gets_public_assets_only(self):
        """/web/assets/ serves attachments by id (16.0): a held session gets none."""
        attachment = self.env["ir.attachment"].create(
            {"name": "secret.txt", "raw": b"totp-policy-private-content"}
        )
        user = self.make_user("tp_doors_assets")
        self.web_login(user.login)
        for path in (
            f"/web/assets/{attachment.id}/secret.txt",
            f"/web/content/{attachment.id}",
        ):
            response = self.url_open(path)
            self.assertNotIn("totp-policy-private-content", response.text, path)

    def test_open_websocket_delivers_nothing_to_a_held_user(self):
        """Bus notifications stop when the user's authenticator goes."""
        user = self.make_user("tp_doors_bus")
        self.enable_totp(user)
        channel = "totp_policy_doors"
        bus_sudo = self.env["bus.bus"].sudo()
        message = bus_sudo.create(
            {
                "channel": json_dump(channel_with_db(self.env.cr.dbname, channel)),
                "message": json_dump({"type": "totp_policy", "payload": {}}),
            }
        )
        bus = self.env["bus.bus"].with_user(user)
        since = message.id - 1
        self.assertTrue(bus._poll([channel], since), "an enrolled user gets messages")
        user.sudo().write({"totp_secret": False})
        self.assertEqual(bus._poll([channel], since), [])

    def test_changes_past_the_orm_signal_every_server(self):
        """SQL changes to what decides enforcement move Odoo's cache signaling."""
        user = self.make_user("tp_doors_signal", blocked=False)
        cr = self.env.cr
        cr.execute(SIGNAL_CURRENT)
        before = cr.fetchone()[0]
        cr.execute("UPDATE res_users SET active = false WHERE id = %s", [user.id])
        cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cr.execute(SIGNAL_CURRENT)
        self.assertGreater(cr.fetchone()[0], before)

    # -- guesses --------------------------------------------------------

    @mute_logger(*QUIET_LOGGERS)
    def test_code_attempts_are_counted_per_user_across_addresses(self):
        """Wrong codes from several addresses add up; the right code then waits."""
        user = self.make_user("tp_doors_guesses", blocked=False)
        secret = self.enable_totp(user)
        wrong = f"{(int(totp_code(secret)) + 1) % 1000000:06d}"
        addresses = ("198.51.100.1", "198.51.100.2", "198.51.100.3")
        for attempt in range(5):
            address = addresses[attempt % len(addresses)]
            self.code_step(user.login, wrong, self.from_address(address))
        response = self.code_step(
            user.login, totp_code(secret), self.from_address("198.51.100.9")
        )
        self.assertEqual(response.status_code, 200, "the right code is refused")
        # Ours, or Odoo 19.0's own per-account limit, whichever counts first.
        self.assertRegex(
            response.text, "Too many wrong codes|limit of code verifications"
        )
        # Once the window has passed (ours, and Odoo's own log where it has one), the
        # right code logs in.
        for table in ("totp_policy_attempt", "auth_totp_rate_limit_log"):
            self.env.cr.execute("SELECT to_regclass(%s)", [table])
            if self.env.cr.fetchone()[0]:
                self.env.cr.execute(
                    f"UPDATE {table} SET create_date = create_date - interval '1 day'"
                    " WHERE user_id = %s",
                    [user.id],
                )
        # The next window's code: 19.0 refuses a code used once (enrolment used this one).
        response = self.code_step(
            user.login, totp_code(secret, 1), self.from_address("198.51.100.9")
        )
        self.assertNotIn("/web/login", self.path_of(self.location(response)))

    # -- redirects ------------------------------------------------------

    @mute_logger(*QUIET_LOGGERS)
    def test_login_keeps_redirects_on_site(self):
        """A logged-in /web/login?redirect= goes nowhere but this site."""
        user = self.make_user("tp_doors_redirect", blocked=False)
        secret = self.enable_totp(user)
        self.code_step(
            user.login, totp_code(secret, 1), self.from_address("198.51.100.20")
        )
        for target in EVIL_TARGETS:
            response = self.url_open(
                f"/web/login?redirect={target}", allow_redirects=False
            )
            if response.status_code in (301, 302, 303):
                location = response.headers["Location"]
                parts = urlsplit(location)
                self.assertNotIn("evil", parts.netloc, location)
                self.assertFalse(parts.path.startswith(("//", "/\\")), location)

    # -- who may change the policy ---------------------------------------

    def test_access_rights_cannot_weaken_the_policy(self):
        manager = new_test_user(
            self.env,
            login="tp_doors_erp_manager",
            groups="base.group_user,base.group_erp_manager",
            password=PASSWORD,
        )
        self.assertFalse(manager._is_system())
        group = self.env.ref("base.group_user").with_user(manager)
        with self.assertRaises(AccessError):
            group.write({"totp_policy_enforce": False})
        with self.assertRaises(AccessError):
            group.write({"totp_policy_except": True})
        with self.assertRaises(AccessError):
            self.env["totp.policy.exemption"].with_user(manager).create(
                {"name": "door", "logins": manager.login}
            )

    def test_locked_policy_holds_against_every_write(self):
        """Only a new generated version changes a locked policy."""
        admin = self.env.ref("base.user_admin")
        params = self.env["ir.config_parameter"].with_user(admin)
        group = self.env.ref("base.group_user").with_user(admin)
        if EDITABLE:
            # Editable: Settings administrators may change it (the legitimate path).
            params.set_param(PARAM_GRACE_DAYS, "3")
            self.assertEqual(params.sudo().get_param(PARAM_GRACE_DAYS), "3")
            return
        with self.assertRaises(UserError):
            params.set_param(PARAM_GRACE_DAYS, str(POLICY["grace_days"] + 1))
        with self.assertRaises(UserError):
            group.write({"totp_policy_except": True})
        with self.assertRaises(UserError):
            self.env["totp.policy.exemption"].with_user(admin).create(
                {"name": "door", "logins": "tp_doors_locked"}
            )
        # Past the ORM: the shipped policy is what is enforced, whatever the rows say.
        user = self.make_user("tp_doors_locked")
        before = user._totp_policy_verdict()
        self.env.cr.execute(
            "UPDATE res_groups SET totp_policy_enforce = false, totp_policy_except = true"
        )
        self.env["res.users"]._totp_policy_clear_cache()
        self.assertEqual(user._totp_policy_verdict(), before)

    # -- deployment -----------------------------------------------------

    @mute_logger(DEPLOYMENT_LOGGER)
    def test_update_applies_a_changed_policy_and_keeps_an_unchanged_one(self):
        deployment = self.env["totp.policy.deployment"]
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param(PARAM_DEPLOYED_DIGEST), DIGEST)
        self.assertEqual(deployment._differences(), [])
        edited = str(POLICY["grace_days"] + 5)
        params.set_param(PARAM_GRACE_DAYS, edited)
        self.env.cr.execute(
            "UPDATE res_groups SET totp_policy_enforce = false, totp_policy_except = false"
        )
        self.env.invalidate_all()
        deployment._deploy()
        if EDITABLE:
            # Unchanged policy file: administrators' edits stay.
            self.assertEqual(params.get_param(PARAM_GRACE_DAYS), edited)
        else:
            self.assertEqual(deployment._differences(), [])
        # A policy file that changed: the database takes the file's values again.
        params.set_param(PARAM_DEPLOYED_DIGEST, "0" * 64)
        deployment._deploy()
        self.assertEqual(deployment._differences(), [])
        self.assertEqual(params.get_param(PARAM_DEPLOYED_DIGEST), DIGEST)
        for xml_id in POLICY["enforce_groups"]:
            self.assertTrue(self.env.ref(xml_id).totp_policy_enforce, xml_id)
