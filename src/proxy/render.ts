/**
 * Reverse-proxy snippets generated from the policy (`odoo-2fa proxy`): the same networks the
 * addon enforces inside Odoo, enforced once more at the proxy (defence in depth), plus the
 * forwarding headers Odoo's `--proxy-mode` needs so that the addon sees the real client.
 *
 * Pure: no IO, the same inputs give the same text.
 */
import type { Policy } from "../policy/model.js";
import { canonicalJson, sha256 } from "../digest.js";
import { checkedNetworks, intersectNetworks } from "./networks.js";

export const PROXY_FORMATS = ["nginx", "apache", "caddy", "haproxy"] as const;
export type ProxyFormat = (typeof PROXY_FORMATS)[number];

export const DEFAULT_UPSTREAM = "127.0.0.1:8069";
export const DEFAULT_LONGPOLLING = "127.0.0.1:8072";

export interface ProxyOptions {
  /** Odoo's HTTP port, `host:port` (IPv6 as `[::1]:8069`). */
  upstream: string;
  /** Odoo's longpolling / websocket port (gevent worker), `host:port`. */
  longpolling: string;
  /** The policy file as the user named it; recorded in the header comment. */
  policyFile: string;
  /** `policySha256(policy)`; recorded in the header so `check` can tell a stale snippet. */
  policySha256: string;
  toolVersion: string;
}

/**
 * The digest the header records: sha256 of the canonical JSON of the whole normalised policy,
 * `proxy` included (the addon lock's digest leaves `proxy` out: a change only to the proxy rules
 * makes the snippet stale, not the addons).
 */
export function policySha256(policy: Policy): string {
  return sha256(canonicalJson(policy));
}

/** Regular expressions (PCRE and RE2 alike), matched case-insensitively against the path. */
const PATHS = {
  /** `/xmlrpc/<service>`, `/xmlrpc/2/<service>`, `/jsonrpc`, `/json/2/<model>/<method>` (19.0). */
  rpc: "^/+(xmlrpc|jsonrpc|json/+2)(/|$)",
  /** The database service over XML-RPC: create, drop, dump, restore, list… */
  databaseRpc: "^/+xmlrpc(/+2)?/+db(/|$)",
  /** `/web/database/manager`, `selector`, `backup`, `restore`, `drop`, `create`, `duplicate`, `change_password`, `list`. */
  database: "^/+web/+database(/|$)",
  /** Odoo's bus: `/websocket` (16.0+) and `/longpolling` (older series), served by the gevent worker. */
  longpolling: "^/+(websocket|longpolling)(/|$)",
  /** A `.` or `..` path segment (checked after percent-decoding, where the server does not resolve them). */
  dotSegment: "(^|/)\\.\\.?(/|$)",
} as const;

/** Non-capturing form for engines where a capture group costs something or reads oddly. */
const nonCapturing = (regex: string) => regex.replaceAll("(", "(?:");

/**
 * The request headers Odoo's --proxy-mode reads (werkzeug's ProxyFix: x_for, x_proto, x_host),
 * plus X-Real-IP, which some addons read. Every snippet sets each of them itself.
 */
const FORWARDING_HEADERS = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"] as const;

/**
 * The other spellings of those headers that reach the same WSGI variable: werkzeug 2.x (Odoo
 * 16.0 and 17.0 on Debian 12) turns `X_Forwarded_For` into HTTP_X_FORWARDED_FOR as well, and
 * joins it with the real one, so a client could append an address of its choosing to the one the
 * proxy set (ProxyFix takes the last). Every mix of `-` and `_` but the all-dash one.
 */
export function underscoreSpellings(name: string): string[] {
  const parts = name.split("-");
  const result: string[] = [];
  for (let mask = 1; mask < 2 ** (parts.length - 1); mask++) {
    result.push(parts.reduce((joined, part, index) => (index === 0 ? part : `${joined}${mask & (1 << (index - 1)) ? "_" : "-"}${part}`), ""));
  }
  return result;
}

/** What `proxy.trusted_upstreams.header` may be: an HTTP token of letters, digits and dashes. */
const HEADER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
/** Headers that never carry a client address: refused as the trusted upstreams' header. */
const NOT_AN_ADDRESS_HEADER = ["host", "x-forwarded-host", "x-forwarded-proto"];

/** How many addresses HAProxy and Caddy read from the right of the header (nginx and Apache: all). */
export const TRUSTED_HOPS = 3;

/** An address as it may appear in the header: dotted IPv4, or anything IPv6-like (RE2 and PCRE). */
const ADDRESS = "((?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)";
const ADDRESS_NON_CAPTURING = `(?:${ADDRESS.slice(1)}`;

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** Checks an `--upstream` / `--longpolling` value; returns a message when it is not `host:port`. */
export function checkHostPort(value: string): string | undefined {
  if (!HOST_PORT.test(value)) return `"${value}" is not host:port (IPv6 in brackets, e.g. [::1]:8069)`;
  const port = Number(value.slice(value.lastIndexOf(":") + 1));
  if (port < 1 || port > 65535) return `"${value}": the port must be between 1 and 65535`;
  return undefined;
}

/** A value for a comment line: quoted, printable ASCII only, never ending in a backslash. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const token = (text: string) => text.replace(/[^\x21-\x7e]/g, "_");

const HEADER_TAG = "odoo-2fa-proxy:";

interface Model {
  format: ProxyFormat;
  upstream: string;
  longpolling: string;
  /** Empty: RPC is not restricted by network at the proxy. */
  api: string[];
  admin: string[];
  /** Where the database service over XML-RPC may be used from: RPC networks ∩ admin networks. */
  databaseRpc: string[];
  /** `proxy.trusted_upstreams`: load balancers whose header names the client; absent: none. */
  trusted?: { networks: string[]; header: string };
}

function checkedTrustedUpstreams(policy: Policy): Model["trusted"] {
  const trusted = policy.proxy?.trustedUpstreams;
  if (!trusted) return undefined;
  const networks = checkedNetworks(trusted.networks, "proxy.trusted_upstreams.networks");
  if (networks.length === 0) throw new Error("proxy.trusted_upstreams.networks: at least one network is needed");
  if (!HEADER_NAME.test(trusted.header) || NOT_AN_ADDRESS_HEADER.includes(trusted.header.toLowerCase())) {
    throw new Error(`proxy.trusted_upstreams.header: "${trusted.header}" is not a header name that can carry a client address`);
  }
  return { networks, header: trusted.header };
}

function buildModel(policy: Policy, format: ProxyFormat, options: ProxyOptions): Model {
  if (!(PROXY_FORMATS as readonly string[]).includes(format)) throw new Error(`unknown proxy format "${format}"`);
  for (const [name, value] of [
    ["upstream", options.upstream],
    ["longpolling", options.longpolling],
  ] as const) {
    const problem = checkHostPort(value);
    if (problem) throw new Error(`${name}: ${problem}`);
  }
  if (!/^[0-9a-f]{64}$/.test(options.policySha256)) throw new Error("policySha256 must be a sha256 hex digest");
  const api = checkedNetworks(policy.api.networks, "api.networks");
  const admin = checkedNetworks(policy.proxy?.adminNetworks ?? [], "proxy.admin_networks");
  return {
    format,
    upstream: options.upstream,
    longpolling: options.longpolling,
    api,
    admin,
    databaseRpc: api.length === 0 ? admin : intersectNetworks(api, admin),
    trusted: checkedTrustedUpstreams(policy),
  };
}

function header(model: Model, options: ProxyOptions): string[] {
  const command = `odoo-2fa proxy ${quoted(options.policyFile)} --format ${model.format} --upstream ${model.upstream} --longpolling ${model.longpolling}`;
  const where = {
    nginx: "Include inside a `server { }` block that has no `location` of its own for Odoo's paths.",
    apache: `Include at the end of a <VirtualHost> (mod_proxy, mod_proxy_http, mod_headers, mod_authz_host${model.trusted ? ", mod_remoteip" : ""}).`,
    caddy: model.trusted
      ? "Import inside a site block (`import odoo-2fa.caddy`); it handles every path of the site.\n# For Caddy 2.6 (Debian's and Ubuntu's package): Caddy 2.7 and later refuse `remote_ip forwarded`."
      : "Import inside a site block (`import odoo-2fa.caddy`); it handles every path of the site.",
    haproxy: "Add to haproxy.cfg and send Odoo's traffic to it: `default_backend odoo2fa_odoo` in a `mode http` frontend.",
  }[model.format];
  return [
    `# Reverse-proxy rules for Odoo generated by odoo-2fa from a two-factor policy (${model.format}).`,
    "# Do not edit by hand: change the policy and regenerate with",
    `#   ${command}`,
    `# ${HEADER_TAG} format=${model.format} tool-version=${token(options.toolVersion)} policy-sha256=${options.policySha256} upstream=${model.upstream} longpolling=${model.longpolling}`,
    `# policy: ${quoted(options.policyFile)}`,
    `# ${where}`,
    "#",
    "# Layers: the addon enforces api.networks and the exemption networks inside Odoo; these rules",
    "# enforce api.networks and proxy.admin_networks once more at the proxy (defence in depth), and",
    "# set the forwarding headers Odoo's --proxy-mode needs to see the real client address.",
    ...(model.trusted
      ? [
          "# X-Forwarded-For is always replaced with one client address: the address of the connection,",
          `# or, for a connection from proxy.trusted_upstreams, the one that upstream names in ${model.trusted.header}.`,
          "# A value sent by any other client is never passed through. Run Odoo with --proxy-mode.",
        ]
      : [
          "# X-Forwarded-For is always replaced with the address of the client connecting to this proxy:",
          "# a value sent by the client is never passed through. Run Odoo with --proxy-mode.",
        ]),
  ];
}

function summary(model: Model): string[] {
  const lines: string[] = [];
  lines.push(
    model.trusted
      ? `# Client address: from ${model.trusted.header} when the connection comes from proxy.trusted_upstreams (${model.trusted.networks.join(" ")}), else the connection's; the rules below use it.`
      : "# Client address: the connection's (proxy.trusted_upstreams is not set).",
  );
  lines.push(
    model.api.length === 0
      ? "# api.networks is empty: no RPC rule is generated, /xmlrpc, /jsonrpc and /json/2 are open to every network here (the addon still applies the policy's RPC rules)."
      : `# RPC (/xmlrpc, /xmlrpc/2, /jsonrpc, /json/2): only from api.networks: ${model.api.join(" ")}`,
  );
  lines.push(
    model.admin.length === 0
      ? "# Database manager (/web/database/*): blocked from every network (proxy.admin_networks is empty)."
      : `# Database manager (/web/database/*): only from proxy.admin_networks: ${model.admin.join(" ")}`,
  );
  lines.push(
    model.databaseRpc.length === 0
      ? "# Database service over XML-RPC (/xmlrpc/db, /xmlrpc/2/db): blocked from every network."
      : `# Database service over XML-RPC (/xmlrpc/db, /xmlrpc/2/db): only from ${model.api.length === 0 ? "proxy.admin_networks" : "networks in both api.networks and proxy.admin_networks"}: ${model.databaseRpc.join(" ")}`,
  );
  lines.push(`# Bus (/websocket, /longpolling): to ${model.longpolling}; everything else: to ${model.upstream}.`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// nginx: locations for a server block.

function nginx(model: Model): string[] {
  const forwarded = (indent: string) => [
    `${indent}proxy_set_header X-Forwarded-For $remote_addr;`,
    `${indent}proxy_set_header X-Real-IP $remote_addr;`,
    `${indent}proxy_set_header X-Forwarded-Host $http_host;`,
    `${indent}proxy_set_header X-Forwarded-Proto $scheme;`,
  ];
  const proxied = (target: string, extra: string[] = []) => [
    `    proxy_pass http://${target};`,
    ...forwarded("    "),
    ...extra,
  ];
  const restricted = (regex: string, networks: string[], comment: string) => [
    `# ${comment}`,
    `location ~* ${nonCapturing(regex)} {`,
    ...networks.map((network) => `    allow ${network};`),
    "    deny all;",
    ...(networks.length > 0 ? proxied(model.upstream) : []),
    "}",
    "",
  ];
  const realIp = model.trusted
    ? [
        "# Client address (ngx_http_realip_module): a connection from proxy.trusted_upstreams is",
        `# attributed to the address its ${model.trusted.header} names (from the right, the first that is not`,
        "# itself a trusted upstream); any other connection keeps its own, whatever it sends. $remote_addr,",
        "# allow/deny below and the headers sent to Odoo all use that address.",
        ...model.trusted.networks.map((network) => `set_real_ip_from ${network};`),
        `real_ip_header ${model.trusted.header};`,
        "real_ip_recursive on;",
        "",
      ]
    : [];
  return [
    ...realIp,
    "# nginx drops request headers with an underscore in their name (underscores_in_headers off, the",
    "# default): keep it so, or a client's X_Forwarded_For would reach Odoo beside X-Forwarded-For.",
    "# A request without a Host header would reach Odoo without X-Forwarded-Host, and Odoo would",
    "# then ignore the forwarded client address: refuse it.",
    'if ($http_host = "") {',
    "    return 400;",
    "}",
    "",
    ...restricted(PATHS.databaseRpc, model.databaseRpc, "Database service over XML-RPC."),
    ...restricted(PATHS.database, model.admin, "Database manager."),
    ...(model.api.length === 0
      ? ["# RPC: api.networks is empty, no rule generated.", ""]
      : restricted(PATHS.rpc, model.api, "RPC: api.networks.")),
    "# Bus: websocket (16.0+) and longpolling, served by Odoo's gevent worker.",
    "location /websocket {",
    ...proxied(model.longpolling, [
      "    proxy_http_version 1.1;",
      "    proxy_set_header Upgrade $http_upgrade;",
      '    proxy_set_header Connection "upgrade";',
      "    proxy_read_timeout 720s;",
    ]),
    "}",
    "",
    "location /longpolling {",
    ...proxied(model.longpolling, ["    proxy_read_timeout 720s;"]),
    "}",
    "",
    "location / {",
    ...proxied(model.upstream, ["    proxy_read_timeout 720s;", "    proxy_redirect off;"]),
    "}",
  ];
}

// ---------------------------------------------------------------------------------------------
// Apache httpd 2.4: <LocationMatch> blocks and ProxyPass for a VirtualHost.

function apache(model: Model): string[] {
  const url = (target: string) => `http://${target}`;
  const require = (networks: string[]) =>
    networks.length === 0 ? ["    Require all denied"] : [`    Require ip ${networks.join(" ")}`];
  return [
    "ProxyRequests Off",
    "ProxyPreserveHost On",
    "# mod_proxy would append the client address to a client-supplied X-Forwarded-For; set it instead.",
    "ProxyAddHeaders Off",
    ...(model.trusted
      ? [
          "# Client address (mod_remoteip): a connection from proxy.trusted_upstreams is attributed to the",
          `# address its ${model.trusted.header} names (from the right, the first that is not itself a trusted`,
          "# upstream); any other connection keeps its own, whatever it sends. REMOTE_ADDR, Require ip",
          "# below and the headers sent to Odoo all use that address.",
          `RemoteIPHeader ${model.trusted.header}`,
          `RemoteIPInternalProxy ${model.trusted.networks.join(" ")}`,
        ]
      : []),
    "# Spellings with underscores reach the same WSGI variable in werkzeug 2.x: never pass them on.",
    ...FORWARDING_HEADERS.flatMap(underscoreSpellings).map((name) => `RequestHeader unset ${name}`),
    'RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}"',
    'RequestHeader set X-Real-IP "expr=%{REMOTE_ADDR}"',
    'RequestHeader set X-Forwarded-Host "expr=%{HTTP_HOST}"',
    'RequestHeader set X-Forwarded-Proto "expr=%{REQUEST_SCHEME}"',
    "",
    "# Bus: websocket (16.0+) and longpolling, served by Odoo's gevent worker.",
    `ProxyPass "/websocket" "${url(model.longpolling)}/websocket" upgrade=websocket timeout=720`,
    `ProxyPassReverse "/websocket" "${url(model.longpolling)}/websocket"`,
    `ProxyPass "/longpolling" "${url(model.longpolling)}/longpolling" timeout=720`,
    `ProxyPassReverse "/longpolling" "${url(model.longpolling)}/longpolling"`,
    `ProxyPass "/" "${url(model.upstream)}/" timeout=720`,
    `ProxyPassReverse "/" "${url(model.upstream)}/"`,
    "",
    ...(model.api.length === 0
      ? ["# RPC: api.networks is empty, no rule generated."]
      : [
          "# RPC: api.networks.",
          `<LocationMatch "(?i)${nonCapturing(PATHS.rpc)}">`,
          ...require(model.api),
          "</LocationMatch>",
        ]),
    "",
    model.api.length === 0
      ? "# Database service over XML-RPC: proxy.admin_networks."
      : "# Database service over XML-RPC: proxy.admin_networks, and api.networks (the rule above) too.",
    `<LocationMatch "(?i)${nonCapturing(PATHS.databaseRpc)}">`,
    "    AuthMerging And",
    ...require(model.admin),
    "</LocationMatch>",
    "",
    "# Database manager.",
    `<LocationMatch "(?i)${nonCapturing(PATHS.database)}">`,
    ...require(model.admin),
    "</LocationMatch>",
    "",
    "# A request without a Host header would reach Odoo without X-Forwarded-Host, and Odoo would",
    "# then ignore the forwarded client address: refuse it.",
    '<If "-z %{HTTP_HOST}">',
    "    Require all denied",
    "</If>",
  ];
}

// ---------------------------------------------------------------------------------------------
// Caddy 2: named matchers and handle blocks for a site block.

function caddy(model: Model): string[] {
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

function haproxy(model: Model): string[] {
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

/** The snippet for one proxy server: deterministic text ending in a newline. */
export function renderProxySnippet(policy: Policy, format: ProxyFormat, options: ProxyOptions): string {
  const model = buildModel(policy, format, options);
  const body = { nginx, apache, caddy, haproxy }[format](model);
  return `${[...header(model, options), "#", ...summary(model), "", ...body].join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading a snippet back (for `odoo-2fa check`).

export interface ProxySnippetHeader {
  format: ProxyFormat;
  toolVersion: string;
  policySha256: string;
  upstream: string;
  longpolling: string;
  /** The policy file recorded at generation, when readable. */
  policyFile?: string;
}

/** Reads the header comment a snippet was generated with; undefined when there is none. */
export function parseProxySnippetHeader(text: string): ProxySnippetHeader | undefined {
  const lines = text.split(/\r?\n/).slice(0, 20);
  const tagged = lines.find((line) => line.startsWith(`# ${HEADER_TAG} `));
  if (!tagged) return undefined;
  const fields = new Map<string, string>();
  for (const pair of tagged.slice(`# ${HEADER_TAG} `.length).trim().split(/\s+/)) {
    const at = pair.indexOf("=");
    if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const format = fields.get("format");
  const toolVersion = fields.get("tool-version");
  const sha = fields.get("policy-sha256");
  const upstream = fields.get("upstream");
  const longpolling = fields.get("longpolling");
  if (!format || !(PROXY_FORMATS as readonly string[]).includes(format)) return undefined;
  if (!toolVersion || !sha || !/^[0-9a-f]{64}$/.test(sha) || !upstream || !longpolling) return undefined;
  const result: ProxySnippetHeader = { format: format as ProxyFormat, toolVersion, policySha256: sha, upstream, longpolling };
  const policyLine = lines.find((line) => line.startsWith("# policy: "));
  if (policyLine) {
    try {
      const file: unknown = JSON.parse(policyLine.slice("# policy: ".length));
      if (typeof file === "string") result.policyFile = file;
    } catch {
      // an unreadable file name does not make the header unusable
    }
  }
  return result;
}

export type ProxySnippetStatus =
  | { status: "current"; header: ProxySnippetHeader }
  | { status: "stale"; header: ProxySnippetHeader; reasons: string[] }
  | { status: "unknown"; reasons: string[] };

/**
 * Compares a snippet's header with the current policy digest and tool version. With `policy`
 * given it also re-renders the snippet from the recorded options and reports hand edits.
 */
export function proxySnippetStatus(
  text: string,
  current: { policySha256: string; toolVersion: string; policy?: Policy },
): ProxySnippetStatus {
  const parsed = parseProxySnippetHeader(text);
  if (!parsed) return { status: "unknown", reasons: ["no odoo-2fa header: not a snippet this tool generated"] };
  const reasons: string[] = [];
  if (parsed.policySha256 !== current.policySha256) reasons.push("the policy changed since the snippet was generated");
  if (parsed.toolVersion !== current.toolVersion) {
    reasons.push(`generated by odoo-2fa ${parsed.toolVersion}, this is ${current.toolVersion}`);
  }
  if (reasons.length === 0 && current.policy) {
    const again = renderProxySnippet(current.policy, parsed.format, {
      upstream: parsed.upstream,
      longpolling: parsed.longpolling,
      policyFile: parsed.policyFile ?? "",
      policySha256: current.policySha256,
      toolVersion: current.toolVersion,
    });
    if (again !== text.replace(/\r\n/g, "\n")) reasons.push("the snippet was edited by hand since it was generated");
  }
  return reasons.length === 0 ? { status: "current", header: parsed } : { status: "stale", header: parsed, reasons };
}

/** True when the snippet was generated from another policy or tool version (or has no header). */
export function proxySnippetIsStale(snippetText: string, currentPolicySha256: string, toolVersion: string): boolean {
  return proxySnippetStatus(snippetText, { policySha256: currentPolicySha256, toolVersion }).status !== "current";
}
