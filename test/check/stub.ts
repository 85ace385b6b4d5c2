/**
 * A loopback XML-RPC server that answers the calls `odoo-2fa check --url` makes, as Odoo answers
 * them: version, authenticate, `ir.module.module.search_read` and the addon's
 * `totp.policy.deployment.totp_policy_state()`. For the CLI's tests without Odoo; what the real
 * addon answers is odoo-check.test.ts's business.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export const ADMIN_KEY = "0123456789abcdef0123456789abcdef01234567";
export const USER_KEY = "fedcba9876543210fedcba9876543210fedcba98";

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface CheckStubOptions {
  db?: string;
  serverSerie?: string;
  /** The addon's ir.module.module row; undefined: Odoo does not know the module. */
  module?: { name: string; state: string; latest_version: string | false };
  /** What totp_policy_state() answers (for the administrator). */
  state?: { [key: string]: Value };
  /** The addon predates totp_policy_state(): the model does not exist. */
  noStateModel?: boolean;
}

export interface CheckStub {
  url: string;
  /** Every request body, in order. */
  bodies: string[];
  options: CheckStubOptions;
  close(): Promise<void>;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function value(v: Value): string {
  if (v === null) return "<value><nil/></value>";
  if (typeof v === "string") return `<value><string>${xml(v)}</string></value>`;
  if (typeof v === "number") return `<value><int>${v}</int></value>`;
  if (typeof v === "boolean") return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (Array.isArray(v)) return `<value><array><data>\n${v.map(value).join("\n")}\n</data></array></value>`;
  return `<value><struct>\n${Object.entries(v)
    .map(([name, member]) => `<member>\n<name>${xml(name)}</name>\n${value(member)}\n</member>`)
    .join("\n")}\n</struct></value>`;
}

const response = (v: Value) => `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${value(v)}\n</param>\n</params>\n</methodResponse>\n`;
const fault = (code: number, message: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${value({ faultCode: code, faultString: message })}\n</fault>\n</methodResponse>\n`;
const unescape = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** `options` may be changed between requests (the stub reads it at each one). */
export async function startCheckStub(options: CheckStubOptions): Promise<CheckStub> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      const db = options.db ?? "prod";
      const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1];
      const strings = [...body.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => unescape(m[1]!));
      const ints = [...body.matchAll(/<int>(-?\d+)<\/int>/g)].map((m) => Number(m[1]));
      let answer: string;
      if (req.url === "/xmlrpc/2/common" && method === "version") {
        const serie = options.serverSerie ?? "17.0";
        answer = response({ server_version: serie, server_version_info: [Number(serie.split(".")[0]) || 0, 0, 0, "final", 0, ""], server_serie: serie, protocol_version: 1 });
      } else if (req.url === "/xmlrpc/2/common" && method === "authenticate") {
        const [database, login, key] = strings;
        if (database !== db) answer = fault(1, `psycopg2.OperationalError: FATAL:  database "${database}" does not exist`);
        else if (login === "admin" && key === ADMIN_KEY) answer = response(2);
        else if (login === "clerk" && key === USER_KEY) answer = response(7);
        else answer = response(false);
      } else if (req.url === "/xmlrpc/2/object" && method === "execute_kw") {
        const [database, key, model, called] = strings;
        const uid = ints[0];
        if (database !== db || !((uid === 2 && key === ADMIN_KEY) || (uid === 7 && key === USER_KEY))) answer = fault(3, "Access Denied");
        else if (model === "ir.module.module" && called === "search_read") answer = response(options.module ? [{ id: 412, ...options.module }] : []);
        else if (model === "totp.policy.deployment" && !options.noStateModel) {
          if (called !== "totp_policy_state") answer = fault(1, `AttributeError: The method 'totp.policy.deployment.${called}' does not exist`);
          else if (uid !== 2) answer = fault(4, "Only administrators may read the deployed 2FA policy.");
          else answer = response(options.state ?? {});
        } else answer = fault(2, `Object ${model} doesn't exist`);
      } else answer = fault(1, `NameError: Method not available ${method}`);
      res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8" });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    options,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
