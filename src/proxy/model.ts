/**
 * What every proxy dialect renders from: the checked model of a snippet (networks, upstreams,
 * trusted load balancers), the paths Odoo serves, the forwarding headers, and the header comment
 * and summary all snippets share. Pure.
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
export const PATHS = {
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
export const nonCapturing = (regex: string) => regex.replaceAll("(", "(?:");

/**
 * The request headers Odoo's --proxy-mode reads (werkzeug's ProxyFix: x_for, x_proto, x_host),
 * plus X-Real-IP, which some addons read. Every snippet sets each of them itself.
 */
export const FORWARDING_HEADERS = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"] as const;

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
export const HEADER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
/** Headers that never carry a client address: refused as the trusted upstreams' header. */
export const NOT_AN_ADDRESS_HEADER = ["host", "x-forwarded-host", "x-forwarded-proto"];

/** How many addresses HAProxy and Caddy read from the right of the header (nginx and Apache: all). */
export const TRUSTED_HOPS = 3;

/** An address as it may appear in the header: dotted IPv4, or anything IPv6-like (RE2 and PCRE). */
export const ADDRESS = "((?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)";
export const ADDRESS_NON_CAPTURING = `(?:${ADDRESS.slice(1)}`;

export const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/** Checks an `--upstream` / `--longpolling` value; returns a message when it is not `host:port`. */
export function checkHostPort(value: string): string | undefined {
  if (!HOST_PORT.test(value)) return `"${value}" is not host:port (IPv6 in brackets, e.g. [::1]:8069)`;
  const port = Number(value.slice(value.lastIndexOf(":") + 1));
  if (port < 1 || port > 65535) return `"${value}": the port must be between 1 and 65535`;
  return undefined;
}

/** A value for a comment line: quoted, printable ASCII only, never ending in a backslash. */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export const token = (text: string) => text.replace(/[^\x21-\x7e]/g, "_");

export const HEADER_TAG = "odoo-2fa-proxy:";

export interface Model {
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

export function checkedTrustedUpstreams(policy: Policy): Model["trusted"] {
  const trusted = policy.proxy?.trustedUpstreams;
  if (!trusted) return undefined;
  const networks = checkedNetworks(trusted.networks, "proxy.trusted_upstreams.networks");
  if (networks.length === 0) throw new Error("proxy.trusted_upstreams.networks: at least one network is needed");
  if (!HEADER_NAME.test(trusted.header) || NOT_AN_ADDRESS_HEADER.includes(trusted.header.toLowerCase())) {
    throw new Error(`proxy.trusted_upstreams.header: "${trusted.header}" is not a header name that can carry a client address`);
  }
  return { networks, header: trusted.header };
}

export function buildModel(policy: Policy, format: ProxyFormat, options: ProxyOptions): Model {
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

export function header(model: Model, options: ProxyOptions): string[] {
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

export function summary(model: Model): string[] {
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
