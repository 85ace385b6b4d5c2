/**
 * A tiny XML-RPC server on loopback that speaks the few calls `odoo-2fa report` makes, the way
 * Odoo answers them (Python's xmlrpc.client output, fault codes of odoo/addons/base/controllers/rpc.py).
 * For the client's unit tests only: it says nothing about the generated addon, which
 * test/report/odoo-report.test.ts checks against a real Odoo.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export const ADMIN_KEY = "0123456789abcdef0123456789abcdef01234567";
export const USER_KEY = "fedcba9876543210fedcba9876543210fedcba98";

export interface StubRow {
  login: string;
  user: string;
  company: string;
  group: string | false;
  status: string;
  last_login: string | false;
  deadline: string | false;
}

export interface StubOptions {
  db?: string;
  rows?: StubRow[];
  /** "report disabled": execute_kw answers Odoo's fault for an unknown model. */
  noReportModel?: boolean;
  /** Answer every request with this HTTP redirect. */
  redirectTo?: string;
  /** Answer every request with a 200 HTML page (a web server that is not Odoo). */
  htmlPage?: boolean;
}

export interface Stub {
  url: string;
  /** Every request body received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function value(v: string | number | boolean | Record<string, unknown> | unknown[]): string {
  if (typeof v === "string") return `<value><string>${xml(v)}</string></value>`;
  if (typeof v === "number") return `<value><int>${v}</int></value>`;
  if (typeof v === "boolean") return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (Array.isArray(v)) return `<value><array><data>\n${v.map((item) => value(item as never)).join("\n")}\n</data></array></value>`;
  return `<value><struct>\n${Object.entries(v)
    .map(([name, member]) => `<member>\n<name>${xml(name)}</name>\n${value(member as never)}\n</member>`)
    .join("\n")}\n</struct></value>`;
}

const response = (v: Parameters<typeof value>[0]) => `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${value(v)}\n</param>\n</params>\n</methodResponse>\n`;
const fault = (code: number, message: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${value({ faultCode: code, faultString: message })}\n</fault>\n</methodResponse>\n`;

const unescape = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

export async function startStub(options: StubOptions = {}): Promise<Stub> {
  const db = options.db ?? "prod";
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      bodies.push(body);
      if (options.redirectTo) {
        res.writeHead(301, { Location: options.redirectTo });
        res.end();
        return;
      }
      if (options.htmlPage) {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<!DOCTYPE html><html><body>Welcome</body></html>");
        return;
      }
      if (req.method !== "POST" || !req.url?.startsWith("/xmlrpc/2/")) {
        res.writeHead(404, { "Content-Type": "text/html" });
        res.end("<!DOCTYPE html><html><body>Not Found</body></html>");
        return;
      }
      const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1];
      const strings = [...body.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => unescape(m[1]!));
      const ints = [...body.matchAll(/<int>(-?\d+)<\/int>/g)].map((m) => Number(m[1]));
      let answer: string;
      if (req.url === "/xmlrpc/2/common" && method === "version") {
        answer = response({ server_version: "17.0", server_version_info: [17, 0, 0, "final", 0, ""], server_serie: "17.0", protocol_version: 1 });
      } else if (req.url === "/xmlrpc/2/common" && method === "authenticate") {
        const [database, login, key] = strings;
        if (database !== db)
          answer = fault(
            1,
            `Traceback (most recent call last):\n  File "odoo/sql_db.py", line 700, in borrow\npsycopg2.OperationalError: connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  database "${database}" does not exist\n`,
          );
        else if (login === "admin" && key === ADMIN_KEY) answer = response(2);
        else if (login === "clerk" && key === USER_KEY) answer = response(7);
        else answer = response(false);
      } else if (req.url === "/xmlrpc/2/object" && method === "execute_kw") {
        const [database, key, model, called] = strings;
        const uid = ints[0];
        if (database !== db || !((uid === 2 && key === ADMIN_KEY) || (uid === 7 && key === USER_KEY))) answer = fault(3, "Access Denied");
        else if (options.noReportModel || model !== "totp.policy.compliance") answer = fault(2, `Object ${model} doesn't exist`);
        else if (called !== "report_rows")
          answer = fault(1, `Traceback (most recent call last):\nAttributeError: type object 'totp.policy.compliance' has no attribute '${called}'\n`);
        else if (uid !== 2) answer = fault(4, "Only administrators may read the two-factor compliance report.");
        else answer = response((options.rows ?? []) as never);
      } else {
        answer = fault(1, `Traceback (most recent call last):\nNameError: Method not available ${method}\n`);
      }
      res.writeHead(200, { "Content-Type": "text/xml; charset=utf-8" });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
