import random
from datetime import timedelta

from odoo import SUPERUSER_ID, fields
from odoo.tests import tagged

from .common import TotpPolicyCase, group_closure

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@tagged("post_install", "-at_install")
class TestPolicyOverSets(TotpPolicyCase):
    """The rules applied to sets of users in SQL are the rules, user by user.

    A sampled population of users (internal, portal and public; enforced, excepted
    and other groups, through implied groups too; enrolled or not; active or not;
    exempt logins; with and without a grace start) is judged by the rules as they
    read for one user, through the ORM, and by the addon's set-based query, its
    per-user state, its status search and its grace stamping.
    """

    def setUp(self):
        super().setUp()
        self.users = self.env["res.users"].sudo().with_context(active_test=False)
        self.config = self.users._totp_policy_config()

    def reference(self, user, now):
        """``(status, deadline)`` of ``user`` by the policy's rules."""
        config = self.config
        ids = set(group_closure(user.groups_id).ids)
        public = self.env.ref("base.group_public")
        if not user.active or user.id == SUPERUSER_ID or public.id in ids:
            return ("not_required", None)
        if user.login in config["exemptions"]:
            return ("exempt", None)
        if ids & config["except_ids"]:
            return ("not_required", None)
        if user.share:
            enforced = config["portal_enforce"]
            days = config["portal_grace_days"]
        else:
            enforced = bool(ids & config["enforce_ids"])
            days = config["grace_days"]
        if not enforced:
            return ("not_required", None)
        if user.totp_secret:
            return ("enrolled", None)
        start = user.totp_policy_grace_start or config["start"]
        deadline = start + timedelta(days=days) if days and start else None
        return ("grace" if deadline and now < deadline else "missing", deadline)

    def population(self, seed, size=40):
        rng = random.Random(seed)
        ref = self.env.ref
        groups = self.env["res.groups"].sudo()
        user_types = ref("base.group_portal") | ref("base.group_public")
        policy_groups = groups.browse(
            sorted(self.config["enforce_ids"] | self.config["except_ids"])
        ).filtered(lambda group: not group_closure(group) & user_types)
        # A group that reaches the policy's groups only through implied groups.
        implying = groups.create(
            {
                "name": f"tp_sets_implying_{seed}",
                "implied_ids": [(6, 0, policy_groups.ids)],
            }
        )
        internal_groups = [
            ref("base.group_system"),
            ref("base.group_erp_manager"),
            implying,
            *policy_groups,
        ]
        user_type = ref("base.group_user")
        exempt = [
            login
            for login in sorted(self.config["exemptions"])
            if not self.users.search_count([("login", "=", login)])
        ]
        vals_list = []
        for index in range(size):
            kind = rng.choice(["internal", "internal", "portal", "public"])
            login = f"tp_sets_{seed}_{index}"
            if exempt and rng.random() < 0.15:
                login = exempt.pop()
            if kind == "internal":
                chosen = [user_type] + rng.sample(
                    internal_groups, rng.randint(0, min(2, len(internal_groups)))
                )
            else:
                chosen = [ref(f"base.group_{kind}")]
            vals_list.append(
                {
                    "name": login,
                    "login": login,
                    "groups_id": [(6, 0, [g.id for g in chosen])],
                }
            )
        made = self.users.with_context(no_reset_password=True).create(vals_list)
        now = fields.Datetime.now()
        for user in made:
            start = rng.choice([None, now, now - timedelta(days=rng.randint(1, 90))])
            self.env.cr.execute(
                """
                UPDATE res_users
                   SET totp_secret = %s, totp_policy_grace_start = %s, active = %s
                 WHERE id = %s
                """,
                [
                    SECRET if rng.random() < 0.3 else None,
                    start,
                    rng.random() > 0.1,
                    user.id,
                ],
            )
        self.env.invalidate_all()
        self.users._totp_policy_clear_cache()
        return made

    def test_set_rules_agree_with_the_rules_per_user(self):
        for seed in (1, 2):
            users = self.population(seed)
            now = fields.Datetime.now()
            expected = {user.id: self.reference(user, now) for user in users}
            query, params = self.users._totp_policy_states_query(
                "u.id = ANY(%s)", [users.ids]
            )
            self.env.cr.execute(query, params)
            found = {}
            for user_id, _login, kind, deadline in self.env.cr.fetchall():
                if kind == "missing" and deadline and now < deadline:
                    kind = "grace"
                found[user_id] = (kind, deadline)
            for user in users:
                state = self.users._totp_policy_state(user.id)
                status = state[0]
                if status == "missing" and state[1] and now < state[1]:
                    status = "grace"
                described = (
                    f"seed {seed}, {user.login}: active {user.active}, share "
                    f"{user.share}, groups {user.groups_id.mapped('name')}"
                )
                self.assertEqual(found[user.id], expected[user.id], described)
                self.assertEqual((status, state[1]), expected[user.id], described)
            for status in ("enrolled", "grace", "missing", "exempt", "not_required"):
                wanted = {i for i, (s, _d) in expected.items() if s == status}
                for operator, ids in (("=", wanted), ("!=", set(users.ids) - wanted)):
                    domain = [
                        ("id", "in", users.ids),
                        ("totp_policy_status", operator, status),
                    ]
                    self.assertEqual(set(self.users.search(domain).ids), ids, domain)

    def unstamped(self, seed):
        """A population without grace starts; the ids of those the policy concerns."""
        users = self.population(seed)
        self.env.cr.execute(
            "UPDATE res_users SET totp_policy_grace_start = NULL WHERE id = ANY(%s)",
            [users.ids],
        )
        self.env.invalidate_all()
        self.users._totp_policy_clear_cache()
        now = fields.Datetime.now()
        concerned = {
            user.id
            for user in users
            if self.reference(user, now)[0] in ("enrolled", "grace", "missing")
        }
        return users, concerned

    def test_stamping_follows_the_rules(self):
        users, concerned = self.unstamped(4)
        users._totp_policy_stamp_grace()
        stamped = {user.id for user in users if user.totp_policy_grace_start}
        self.assertEqual(stamped, concerned)
        if not concerned:
            # Nobody stamped, rightly: say so rather than pass on nothing.
            self.skipTest("the policy concerns none of these users")

    def test_writing_no_user_stamps_nobody(self):
        """Odoo's own flows write groups on empty recordsets (mail does, on every
        change of a user's groups): that stamps nobody, as creating no user does."""
        users, concerned = self.unstamped(5)
        if not concerned:
            self.skipTest("the policy concerns none of these users")
        employee = self.env.ref("base.group_user")
        self.users.browse().write({"groups_id": [(4, employee.id)]})
        self.users.create([])
        users.invalidate_recordset(["totp_policy_grace_start"])
        self.assertFalse(users.filtered("totp_policy_grace_start"))

    def test_writing_groups_does_not_read_the_policy_again(self):
        """Users' groups written: their grace start is stamped from the policy as
        read before the write (which changes no policy but clears the caches it
        is kept in), not from the policy read again (Odoo 19.0's own
        test_write_group_ids_performance counts the queries of such a write)."""
        users, concerned = self.unstamped(6)
        internal = users.filtered(lambda user: not user.share)
        neutral = self.env["res.groups"].create({"name": "tp_sets_neutral"})
        self.users._totp_policy_config()
        model = self.registry["res.users"]
        members_of = model._totp_policy_members_of
        reads = []

        def counted(records, group_sets):
            reads.append(group_sets)
            return members_of(records, group_sets)

        self.patch(model, "_totp_policy_members_of", counted)
        internal.write({"groups_id": [(4, neutral.id)]})
        self.assertEqual(reads, [], "the write read the policy again")
        internal.invalidate_recordset(["totp_policy_grace_start"])
        stamped = {user.id for user in internal if user.totp_policy_grace_start}
        self.assertEqual(stamped, concerned & set(internal.ids))
