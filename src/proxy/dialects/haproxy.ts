/** The haproxy dialect of the proxy snippet (`odoo-2fa proxy --format haproxy`). Pure. */
import { PATHS, TRUSTED_HOPS, type Model } from "../model.js";

export function haproxy(model: Model): string[] {
  const acl = (name: string, regex: string) => `    acl ${name} path,url_dec -m reg -i '${regex}'`;
  const unless = (name: string, networks: string[]) => (networks.length === 0 ? "" : ` !${name}`);
  return [
    "# The paths are matched after percent-decoding; repeated slashes are matched too, and a path",
    "# with . or .. segments (which HAProxy does not resolve) is refused.",
    "backend odoo2fa_odoo",
    "    mode http",
    "    timeout tunnel 720s",
    ...(model.api.length === 0 ? [] : [acl("odoo2fa_rpc", PATHS.rpc)]),
    acl("odoo2fa_database_rpc", PATHS.databaseRpc),
    acl("odoo2fa_database", PATHS.database),
    acl("odoo2fa_longpolling", PATHS.longpolling),
    `    acl odoo2fa_dot_segment path,url_dec -m reg '${PATHS.dotSegment}'`,
    ...(model.api.length === 0 ? [] : [`    acl odoo2fa_api_networks src ${model.api.join(" ")}`]),
    ...(model.admin.length === 0 ? [] : [`    acl odoo2fa_admin_networks src ${model.admin.join(" ")}`]),
    "    # Without a Host header Odoo would get no X-Forwarded-Host and ignore the forwarded address.",
    "    http-request deny deny_status 400 unless { req.hdr(host) -m len 1: }",
    "    http-request deny deny_status 400 if odoo2fa_dot_segment",
    ...(model.trusted ? haproxyClientAddress(model.trusted) : []),
    ...(model.api.length === 0
      ? ["    # RPC: api.networks is empty, no rule generated."]
      : ["    # RPC: api.networks.", "    http-request deny deny_status 403 if odoo2fa_rpc !odoo2fa_api_networks"]),
    model.api.length === 0
      ? "    # Database service over XML-RPC: proxy.admin_networks."
      : "    # Database service over XML-RPC: proxy.admin_networks (and api.networks, by the rule above).",
    `    http-request deny deny_status 403 if odoo2fa_database_rpc${unless("odoo2fa_admin_networks", model.admin)}`,
    "    # Database manager.",
    `    http-request deny deny_status 403 if odoo2fa_database${unless("odoo2fa_admin_networks", model.admin)}`,
    "    # Spellings with underscores reach the same WSGI variable in werkzeug 2.x: never pass them on.",
    "    http-request del-header ^x[-_](forwarded[-_](for|host|proto)|real[-_]ip)$ -m reg",
    "    http-request set-header X-Forwarded-For %[src]",
    "    http-request set-header X-Real-IP %[src]",
    "    http-request set-header X-Forwarded-Host %[req.hdr(host)]",
    "    http-request set-header X-Forwarded-Proto https if { ssl_fc }",
    "    http-request set-header X-Forwarded-Proto http if !{ ssl_fc }",
    "    # Bus: websocket (16.0+) and longpolling, served by Odoo's gevent worker (weight 0: only",
    "    # the use-server rule sends requests there).",
    "    use-server odoo_longpolling if odoo2fa_longpolling",
    `    server odoo ${model.upstream}`,
    `    server odoo_longpolling ${model.longpolling} weight 0`,
  ];
}

/**
 * Hop k reads the k-th address from the right of the header, only when the connection is trusted
 * and hops 1..k-1 found trusted upstreams; `set-src` then makes it the address every later rule
 * (and %[src]) sees.
 */
function haproxyClientAddress(trusted: { networks: string[]; header: string }): string[] {
  const networks = trusted.networks.join(" ");
  const header = trusted.header.toLowerCase();
  const lines = [
    `    # Client address: a connection from proxy.trusted_upstreams is attributed to the address its`,
    `    # ${trusted.header} names (from the right, the first that is not itself a trusted upstream, at`,
    `    # most ${TRUSTED_HOPS} deep); any other connection keeps its own, whatever it sends.`,
    `    acl odoo2fa_trusted_upstream src ${networks}`,
  ];
  for (let hop = 1; hop <= TRUSTED_HOPS; hop++) {
    const after =
      hop === 1
        ? "odoo2fa_trusted_upstream"
        : `{ var(txn.odoo2fa_hop) -m int ${hop - 1} } { var(txn.odoo2fa_client) -m ip ${networks} }`;
    lines.push(
      `    http-request set-var(txn.odoo2fa_hop) int(${hop}) if ${after} { req.hdr_ip(${header},-${hop}) -m found }`,
      `    http-request set-var(txn.odoo2fa_client) req.hdr_ip(${header},-${hop}) if { var(txn.odoo2fa_hop) -m int ${hop} }`,
    );
  }
  lines.push("    http-request set-src var(txn.odoo2fa_client) if { var(txn.odoo2fa_hop) -m found }");
  return lines;
}
