/** The nginx dialect of the proxy snippet (`odoo-2fa proxy --format nginx`). Pure. */
import { PATHS, nonCapturing, type Model } from "../model.js";

export function nginx(model: Model): string[] {
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
