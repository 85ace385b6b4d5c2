/** The apache dialect of the proxy snippet (`odoo-2fa proxy --format apache`). Pure. */
import { PATHS, nonCapturing, FORWARDING_HEADERS, underscoreSpellings, type Model } from "../model.js";

export function apache(model: Model): string[] {
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
