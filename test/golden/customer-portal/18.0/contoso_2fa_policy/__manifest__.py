{
    "name": "Contoso two-factor policy",
    "summary": "Employees and portal customers must use an authenticator app",
    "version": "18.0.1.2.0",
    "category": "Extra Tools",
    "website": "https://www.contoso.example",
    "author": "Contoso Ltd",
    "license": "AGPL-3",
    "depends": [
        "auth_totp",
        "auth_totp_mail_enforce",
        "auth_totp_portal",
        "base_setup",
    ],
    "data": [
        "security/ir.model.access.csv",
        "data/policy_data.xml",
        "views/templates.xml",
        "views/res_config_settings_views.xml",
        "views/res_groups_views.xml",
        "views/res_users_views.xml",
    ],
    "installable": True,
}
