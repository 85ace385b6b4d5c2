from . import (
    bus_bus,
    ir_config_parameter,
    ir_http,
    policy,
    res_config_settings,
    res_groups,
    res_users,
    res_users_apikeys,
    res_users_totp_counter,
    totp_policy_attempt,
    totp_policy_deployment,
    totp_policy_exemption,
)
