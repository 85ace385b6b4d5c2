from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBackend(TransactionCase):
    """What an administrator opens: the users list, its 2FA filters, the user form."""

    def test_users_list_form_and_filters(self):
        admin = self.env.ref("base.user_admin")
        new_test_user(self.env, login="tp_backend_internal", groups="base.group_user")
        new_test_user(self.env, login="tp_backend_portal", groups="base.group_portal")
        inactive = new_test_user(self.env, login="tp_backend_inactive")
        inactive.active = False
        users = self.env["res.users"].with_user(admin).with_context(active_test=False)
        fields = ["login", "totp_policy_status", "totp_policy_status_label"]
        # The superuser, demo, portal and inactive users, as the list reads them.
        rows = users.search_read([], fields)
        self.assertTrue(rows)
        statuses = {row["login"]: row["totp_policy_status"] for row in rows}
        self.assertEqual(statuses["__system__"], "not_required")
        for row in rows:
            self.assertTrue(row["totp_policy_status_label"], row["login"])
        for status in ("enrolled", "grace", "missing", "exempt", "not_required"):
            found = users.search_read([("totp_policy_status", "=", status)], fields)
            self.assertEqual(
                {row["login"] for row in found},
                {login for login, value in statuses.items() if value == status},
            )
        views = users.get_views([(False, "tree"), (False, "form")])
        self.assertEqual(set(views["views"]), {"tree", "form"})
        # A user created in the same transaction, read at once.
        created = users.create({"name": "Fresh", "login": "tp_backend_fresh"})
        self.assertTrue(created.totp_policy_status_label)
