/** The caddy dialect of the proxy snippet (`odoo-2fa proxy --format caddy`). Pure. */
import { PATHS, nonCapturing, FORWARDING_HEADERS, underscoreSpellings, TRUSTED_HOPS, ADDRESS, ADDRESS_NON_CAPTURING, type Model } from "../model.js";

export function caddy(model: Model): string[] {
  // With trusted upstreams the resolved client address is kept in X-Forwarded-For itself, where
  // Caddy 2.6's `remote_ip forwarded` reads it (its first address; it is the only one).
  const client = model.trusted ? "{http.request.header.X-Forwarded-For}" : "{remote_host}";
  const remoteIp = model.trusted ? "remote_ip forwarded" : "remote_ip";
  const proxy = (target: string) => [
    `    reverse_proxy ${target} {`,
    `        header_up X-Forwarded-For ${client}`,
    `        header_up X-Real-IP ${client}`,
    "        header_up X-Forwarded-Host {hostport}",
    "        header_up X-Forwarded-Proto {scheme}",
    "    }",
  ];
  const denied = (name: string, regex: string, networks: string[]) =>
    networks.length === 0
      ? [`@${name} path_regexp (?i)${nonCapturing(regex)}`]
      : [`@${name} {`, `    path_regexp (?i)${nonCapturing(regex)}`, `    not ${remoteIp} ${networks.join(" ")}`, "}"];
  const refuse = (name: string, status: 400 | 403) => [
    `handle @${name} {`,
    `    respond "${status === 400 ? "Bad Request" : "Forbidden"}" ${status}`,
    "}",
  ];
  return [
    ...(model.trusted ? caddyClientAddress(model.trusted) : []),
    "# Spellings with underscores reach the same WSGI variable in werkzeug 2.x: never pass them on.",
    ...FORWARDING_HEADERS.flatMap(underscoreSpellings).map((name) => `request_header -${name}`),
    "# A request without a Host header would reach Odoo without X-Forwarded-Host, and Odoo would",
    "# then ignore the forwarded client address; a path with . or .. segments could slip past the",
    "# path rules: refuse both.",
    '@odoo2fa_no_host expression {http.request.host} == ""',
    `@odoo2fa_dot_segment path_regexp ${nonCapturing(PATHS.dotSegment)}`,
    ...(model.api.length === 0
      ? ["# RPC: api.networks is empty, no rule generated."]
      : ["# RPC: api.networks.", ...denied("odoo2fa_rpc_denied", PATHS.rpc, model.api)]),
    model.api.length === 0
      ? "# Database service over XML-RPC: proxy.admin_networks."
      : "# Database service over XML-RPC: proxy.admin_networks (and api.networks, by the rule above).",
    ...denied("odoo2fa_database_rpc_denied", PATHS.databaseRpc, model.admin),
    "# Database manager.",
    ...denied("odoo2fa_database_denied", PATHS.database, model.admin),
    "# Bus: websocket (16.0+) and longpolling, served by Odoo's gevent worker.",
    `@odoo2fa_longpolling path_regexp (?i)${nonCapturing(PATHS.longpolling)}`,
    "",
    ...refuse("odoo2fa_no_host", 400),
    ...refuse("odoo2fa_dot_segment", 400),
    ...(model.api.length === 0 ? [] : refuse("odoo2fa_rpc_denied", 403)),
    ...refuse("odoo2fa_database_rpc_denied", 403),
    ...refuse("odoo2fa_database_denied", 403),
    "# header_up states the forwarding headers whatever a Caddy version's defaults are (Caddy may",
    '# log "Unnecessary header_up" for them: harmless).',
    "handle @odoo2fa_longpolling {",
    ...proxy(model.longpolling),
    "}",
    "handle {",
    ...proxy(model.upstream),
    "}",
  ];
}

/**
 * Caddy 2.6 has no trusted_proxies: the client address is found with regular expressions on the
 * header (copied into a variable, all its lines joined) and written into X-Forwarded-For, where
 * `remote_ip forwarded` can test it. Hop k reads the k-th address from the right, and only when
 * the connection is trusted and hops 1..k-1 found trusted upstreams, each a well-formed address.
 */
function caddyClientAddress(trusted: { networks: string[]; header: string }): string[] {
  const networks = trusted.networks.join(" ");
  const tail = (hop: number) => `^(?:.*,)?\\s*${ADDRESS}${`\\s*,\\s*${ADDRESS_NON_CAPTURING}`.repeat(hop - 1)}\\s*$`;
  const lines = [
    `# Client address: a connection from proxy.trusted_upstreams is attributed to the address its`,
    `# ${trusted.header} names (from the right, the first that is not itself a trusted upstream, at most`,
    `# ${TRUSTED_HOPS} deep); any other connection keeps its own, whatever it sends. It is written into`,
    "# X-Forwarded-For, which the rules below test (remote_ip forwarded) and Odoo receives.",
    `vars odoo2fa_chain "{http.request.header.${trusted.header}}"`,
    "@odoo2fa_client_direct not {",
    `    remote_ip ${networks}`,
    `    vars_regexp {vars.odoo2fa_chain} "${tail(1)}"`,
    "}",
    "request_header @odoo2fa_client_direct X-Forwarded-For {remote_host}",
  ];
  for (let hop = 1; hop <= TRUSTED_HOPS; hop++) {
    lines.push(
      `@odoo2fa_client_${hop} {`,
      `    ${hop === 1 ? "remote_ip" : "remote_ip forwarded"} ${networks}`,
      `    vars_regexp odoo2fa_client_${hop} {vars.odoo2fa_chain} "${tail(hop)}"`,
      "}",
      `request_header @odoo2fa_client_${hop} X-Forwarded-For {re.odoo2fa_client_${hop}.1}`,
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// HAProxy: one backend carrying the ACLs, the rules and both Odoo ports.
