# Issue 14, acceptance 3: Settings -> Users as the web client opens it, run in `odoo shell` on a
# database with demo data. As the administrator: the action's views (get_views), the users list
# (web_search_read) with the action's default filters, with each 2FA filter of the search view
# and with the search view's other filters (inactive, portal, ...), the user form of every user
# (web_read) and a new user's form (onchange). Users of every kind Odoo's own flows produce are
# there: demo users, the superuser, inactive and portal users, a user of a second company, and
# users created in this same transaction. Prints UI=<json>; rolls everything back.
import json
import traceback

from lxml import etree

from odoo import release
from odoo.tools.safe_eval import safe_eval

MAJOR = release.version_info[0]
LIST = "tree" if MAJOR < 18 else "list"
GROUPS = "groups_id" if MAJOR < 19 else "group_ids"
errors = []
done = []


def attempt(what, fn):
    try:
        with env.cr.savepoint():
            result = fn()
            env.flush_all() if hasattr(env, "flush_all") else env["base"].flush()
        done.append(what)
        return result
    except Exception:
        errors.append("%s:\n%s" % (what, traceback.format_exc()[-3000:]))
        return None


admin = env.ref("base.user_admin")
root = env["res.users"].sudo().with_context(active_test=False)
# Users of the kinds Odoo's own flows create, in this transaction (nothing is committed).
company2 = env["res.company"].sudo().create({"name": "Second company (users-ui)"})
portal_group = env.ref("base.group_portal")
fresh = [
    root.create({"name": "ui internal", "login": "ui_internal"}),
    root.create({"name": "ui portal", "login": "ui_portal", GROUPS: [(6, 0, [portal_group.id])]}),
    root.create({"name": "ui inactive", "login": "ui_inactive"}),
    root.create({
        "name": "ui company2", "login": "ui_company2",
        "company_id": company2.id, "company_ids": [(6, 0, [company2.id, admin.company_id.id])],
    }),
]
# Archived as Settings archives a user (its partner goes with it).
fresh[2].action_archive() if hasattr(fresh[2], "action_archive") else fresh[2].toggle_active()
if "_signup_create_user" in dir(root):
    fresh.append(attempt("signup a portal user", lambda: root._signup_create_user({"name": "ui signup", "login": "ui_signup@example.com"})))
admin.sudo().write({"company_ids": [(4, company2.id)]})
# The same transaction: the new users' computed fields before anything is flushed or committed.
statuses = {}
for user in fresh:
    if user:
        statuses[user.login] = attempt("fresh user %s: status" % user.login, lambda user=user: user.totp_policy_status)
        attempt("fresh user %s: label" % user.login, lambda user=user: user.totp_policy_status_label)
# Odoo's own users: the superuser, the administrator, the demo users.
for xml_id in ("base.user_root", "base.user_admin", "base.user_demo", "base.demo_user0", "base.public_user"):
    user = env.ref(xml_id, raise_if_not_found=False)
    if user:
        statuses[xml_id] = attempt("%s: status" % xml_id, lambda user=user: user.sudo().totp_policy_status)

context = {"lang": admin.lang or "en_US", "tz": admin.tz or "UTC", "uid": admin.id,
           "allowed_company_ids": admin.company_ids.ids}
action = env.ref("base.action_res_users").sudo()
action_context = safe_eval(action.context or "{}", {"uid": admin.id, "active_id": False, "context": context})
Users = env["res.users"].with_user(admin).with_context(**context, **action_context)

views = attempt("get_views", lambda: Users.get_views(
    [(False, LIST), (False, "form"), (False, "search")], {"toolbar": True, "load_filters": True, "action_id": action.id}))
all_fields = {}
if views:
    model_fields = views["models"]["res.users"]
    all_fields = model_fields.get("fields", model_fields) if MAJOR >= 18 else model_fields


def spec_of(arch):
    """The fields of a view's root, as the web client asks for them (subviews: display_name only)."""
    spec = {}
    for node in etree.fromstring(arch).iter("field"):
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue
        name = node.get("name")
        info = all_fields.get(name, {})
        if info.get("type") in ("many2one", "many2many", "one2many", "reference", "many2one_reference"):
            spec[name] = {"fields": {"display_name": {}}} if info.get("type") != "many2one_reference" else {}
        else:
            spec[name] = {}
    return spec


def search_read(domain, spec):
    if MAJOR < 17:
        return Users.web_search_read(domain, list(spec), 0, 80, None)
    return Users.web_search_read(domain, spec, offset=0, limit=80, count_limit=10001)


filters = {}
if views:
    list_spec = spec_of(views["views"][LIST]["arch"])
    form_spec = spec_of(views["views"]["form"]["arch"])
    search_arch = etree.fromstring(views["views"]["search"]["arch"])
    for node in search_arch.iter("filter"):
        if node.get("domain") and node.get("name"):
            filters[node.get("name")] = node.get("domain")
    defaults = [filters[key[len("search_default_"):]] for key, value in action_context.items()
                if key.startswith("search_default_") and value and key[len("search_default_"):] in filters]
    from odoo.tools import safe_eval as safe_eval_module
    eval_context = {"uid": admin.id, "context": context, "datetime": safe_eval_module.datetime,
                    "time": safe_eval_module.time, "context_today": safe_eval_module.datetime.date.today}
    base_domain = safe_eval(action.domain or "[]", eval_context)
    for text in defaults:
        base_domain = base_domain + safe_eval(text, eval_context)
    rows = attempt("users list (the action's default filters)", lambda: search_read(base_domain, list_spec))
    listed = {}
    for name, text in sorted(filters.items()):
        domain = safe_eval(text, eval_context)
        found = attempt("users list, filter %s" % name, lambda domain=domain: search_read(domain, list_spec))
        if found:
            listed[name] = found["length"] if "length" in found else len(found.get("records", []))
    # Every user's form, the superuser and inactive users included.
    every = Users.with_context(active_test=False).search([])
    if root.browse(1) not in every:
        every |= Users.browse(1)
    for user in every:
        if MAJOR < 17:
            attempt("user form %s" % user.login, lambda user=user: user.read(list(form_spec)))
        else:
            attempt("user form %s" % user.login, lambda user=user: user.web_read(form_spec))
    # A new user's form.
    if MAJOR < 17:
        onchange_spec = Users._onchange_spec(views["views"]["form"])
        attempt("new user form (onchange)", lambda: Users.onchange({}, [], onchange_spec))
    else:
        attempt("new user form (onchange)", lambda: Users.onchange({}, [], form_spec))
    # The compliance report (the `report` switch), as its menu opens it.
    if "totp.policy.compliance" in env:
        Report = env["totp.policy.compliance"].with_user(admin).with_context(**context)
        opened = attempt("compliance report", lambda: env.ref("%s.menu_totp_policy_compliance" % Report._module).action.read())
        if opened:
            attempt("compliance report rows", lambda: Report.web_search_read([], ["login", "status"] if MAJOR < 17 else {"login": {}, "status": {}}))
    print("UI=" + json.dumps({
        "errors": errors, "done": len(done), "statuses": statuses, "filters": sorted(filters), "listed": listed,
        "users": len(every), "list_fields": sorted(list_spec), "form_has_status": "totp_policy_status_label" in form_spec or any("totp_policy" in f for f in form_spec),
    }, sort_keys=True))
else:
    # The compliance report (the `report` switch), as its menu opens it.
    if "totp.policy.compliance" in env:
        Report = env["totp.policy.compliance"].with_user(admin).with_context(**context)
        opened = attempt("compliance report", lambda: env.ref("%s.menu_totp_policy_compliance" % Report._module).action.read())
        if opened:
            attempt("compliance report rows", lambda: Report.web_search_read([], ["login", "status"] if MAJOR < 17 else {"login": {}, "status": {}}))
    print("UI=" + json.dumps({"errors": errors, "done": len(done)}))
env.cr.rollback()
