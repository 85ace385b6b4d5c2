/**
 * `odoo-2fa report`, the client half without Odoo: the XML-RPC subset (checked against Python's
 * own xmlrpc.client, which is what Odoo runs), error mapping against a loopback stub server, and
 * the CLI's refusals (no password, no key on the command line, key file checks) as a subprocess.
 * The real thing, against a running Odoo with the generated addon: odoo-report.test.ts.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeMethodResponse,
  encodeMethodCall,
  endpointFor,
  fetchReport,
  ReportError,
  XmlRpcFault,
  XmlRpcTransportError,
  type XmlRpcValue,
} from "../../src/report/index.js";
import { buildCli, removeCli, runCli, type Run } from "../cli/run-cli.js";
import { ADMIN_KEY, startStub, USER_KEY, type Stub, type StubRow } from "./stub.js";

const PYTHON = ["/usr/bin/python3", "python3"].find((candidate) => {
  try {
    execFileSync(candidate, ["-c", "import xmlrpc.client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});
if (!PYTHON) process.stderr.write(`\n${"!".repeat(8)} report client: XML-RPC interop with Python SKIPPED (not run, not passed): no python3 on PATH\n\n`);

/** Runs Python's xmlrpc.client on stdin; prints what the script prints. */
const python = (script: string, input = ""): string => execFileSync(PYTHON!, ["-c", script], { input, encoding: "utf8" });

const TRICKY = `a <b> & "c" 'd' ]]> é ✓ \t tab`;

describe("XML-RPC encoding", () => {
  it("escapes & < > in strings and names, and encodes each type", () => {
    const body = encodeMethodCall("execute_kw", ["db & <co>", 7, true, false, null, 1.5, [], { "a<b": "x&y" }]);
    expect(body).toContain("<methodName>execute_kw</methodName>");
    expect(body).toContain("<value><string>db &amp; &lt;co&gt;</string></value>");
    expect(body).toContain("<value><int>7</int></value>");
    expect(body).toContain("<value><boolean>1</boolean></value>");
    expect(body).toContain("<value><boolean>0</boolean></value>");
    expect(body).toContain("<value><nil/></value>");
    expect(body).toContain("<value><double>1.5</double></value>");
    expect(body).toContain("<value><array><data></data></array></value>");
    expect(body).toContain("<member><name>a&lt;b</name><value><string>x&amp;y</string></value></member>");
    expect(() => encodeMethodCall("m", [2 ** 31])).toThrow(/32-bit/);
    expect(() => encodeMethodCall("m", [Number.NaN])).toThrow();
  });

  it.skipIf(!PYTHON)("is read back exactly by Python's xmlrpc.client (what Odoo parses with)", () => {
    const params: XmlRpcValue[] = ["prod", 2, TRICKY, true, false, [], [1, "two", { three: [3] }], { login: "admin", "k&y": "<v>" }];
    const out = python("import sys, json, xmlrpc.client\nparams, method = xmlrpc.client.loads(sys.stdin.read())\nprint(json.dumps([method, list(params)]))", encodeMethodCall("execute_kw", params));
    expect(JSON.parse(out)).toEqual(["execute_kw", params]);
  });
});

describe("XML-RPC decoding", () => {
  it.skipIf(!PYTHON)("reads what Python's xmlrpc.client writes, escaping included", () => {
    const answer = python(
      "import sys, xmlrpc.client\n" +
        `rows = [{"login": "a&b", "user": ${JSON.stringify(TRICKY)}, "group": False, "n": 3, "x": 1.25, "empty": "", "nested": [[1], {"k": True}]}]\n` +
        "sys.stdout.write(xmlrpc.client.dumps((rows,), methodresponse=True))",
    );
    expect(decodeMethodResponse(answer)).toEqual([
      { login: "a&b", user: TRICKY, group: false, n: 3, x: 1.25, empty: "", nested: [[1], { k: true }] },
    ]);
  });

  it.skipIf(!PYTHON)("turns a fault into XmlRpcFault with its code and message", () => {
    const answer = python("import sys, xmlrpc.client\nsys.stdout.write(xmlrpc.client.dumps(xmlrpc.client.Fault(4, 'No <access> & no way'), methodresponse=True))");
    let caught: unknown;
    try {
      decodeMethodResponse(answer);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlRpcFault);
    expect(caught).toMatchObject({ faultCode: 4, faultString: "No <access> & no way" });
  });

  it("reads untyped values as strings, nil, i4/i8, entities and CDATA", () => {
    const doc = `<?xml version="1.0"?><!-- c --><methodResponse><params><param><value><array><data>
      <value>plain &#233;&#x2713;&quot;</value><value><nil/></value><value><i4>-5</i4></value><value><i8>9</i8></value>
      <value><string><![CDATA[<raw>&]]></string></value><value><string></string></value><value><string/></value>
    </data></array></value></param></params></methodResponse>`;
    expect(decodeMethodResponse(doc)).toEqual(['plain é✓"', null, -5, 9, "<raw>&", "", ""]);
  });

  it("refuses what is not XML-RPC: HTML, attributes, unknown types, broken nesting, deep nesting", () => {
    const bad = [
      "<!DOCTYPE html><html><body>Odoo</body></html>",
      '<methodResponse><params><param><value><string lang="en">x</string></value></param></params></methodResponse>',
      "<methodResponse><params><param><value><date>x</date></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><string>x</value></string></param></params></methodResponse>",
      "<methodResponse><params><param><value><int>1.5</int></value></param></params></methodResponse>",
      "<methodResponse><params><param><value><boolean>yes</boolean></value></param></params></methodResponse>",
      "<html></html>",
      `<methodResponse><params><param>${"<value><array><data>".repeat(200)}${"</data></array></value>".repeat(200)}</param></params></methodResponse>`,
      "",
    ];
    for (const doc of bad) {
      expect(() => decodeMethodResponse(doc), doc.slice(0, 80)).toThrow(XmlRpcTransportError);
    }
  });
});

const ROWS: StubRow[] = [
  { login: "admin", user: "Mitchell Admin", company: "Contoso", group: "Internal User", status: "grace", last_login: "2025-01-02 03:04:05", deadline: "2025-01-16 03:04:05" },
  { login: "marc", user: "Marc <Demo> & Co", company: "Contoso", group: "Internal User", status: "enrolled", last_login: false, deadline: false },
  { login: "scanner-01", user: "Scanner", company: "Contoso", group: false, status: "exempt", last_login: false, deadline: false },
];

describe("fetchReport against a stub XML-RPC server", () => {
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub({ rows: ROWS });
  });
  afterAll(() => stub?.close());

  const reportError = async (promise: Promise<unknown>): Promise<ReportError> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof ReportError) return error;
      throw error;
    }
    throw new Error("expected a ReportError");
  };

  it("builds endpoints under the URL, keeping a path prefix", () => {
    expect(endpointFor("https://erp.example.com", "common")).toBe("https://erp.example.com/xmlrpc/2/common");
    expect(endpointFor("https://erp.example.com/odoo/?x=1#y", "object")).toBe("https://erp.example.com/odoo/xmlrpc/2/object");
  });

  it("authenticates with the key, calls report_rows with no arguments and parses the rows", async () => {
    const before = stub.bodies.length;
    const report = await fetchReport({ url: stub.url, db: "prod", login: "admin", apiKey: ADMIN_KEY });
    expect(report.uid).toBe(2);
    expect(report.serverVersion).toBe("17.0");
    expect(report.rows).toEqual([
      { login: "admin", user: "Mitchell Admin", company: "Contoso", group: "Internal User", status: "grace", lastLogin: "2025-01-02 03:04:05", deadline: "2025-01-16 03:04:05" },
      { login: "marc", user: "Marc <Demo> & Co", company: "Contoso", group: "Internal User", status: "enrolled", lastLogin: null, deadline: null },
      { login: "scanner-01", user: "Scanner", company: "Contoso", group: null, status: "exempt", lastLogin: null, deadline: null },
    ]);
    const [version, auth, call] = stub.bodies.slice(before);
    // The key is not sent before the server has shown it is an Odoo XML-RPC endpoint.
    expect(version).toContain("<methodName>version</methodName>");
    expect(version).not.toContain(ADMIN_KEY);
    expect(auth).toContain(`<string>${ADMIN_KEY}</string>`);
    expect(call).toContain("<param><value><string>totp.policy.compliance</string></value></param><param><value><string>report_rows</string></value></param>");
    expect(call).toMatch(/<param><value><array><data><\/data><\/array><\/value><\/param><\/params>/);
  });

  it("maps each refusal to its own typed error", async () => {
    const base = { url: stub.url, db: "prod", login: "admin", apiKey: ADMIN_KEY };
    expect(await reportError(fetchReport({ ...base, db: "nope" }))).toMatchObject({ code: "db-not-found", message: expect.stringContaining('"nope"') });
    const auth = await reportError(fetchReport({ ...base, apiKey: USER_KEY }));
    expect(auth.code).toBe("auth-failed");
    expect(auth.hint).toMatch(/--login/);
    expect(await reportError(fetchReport({ ...base, login: "clerk", apiKey: USER_KEY }))).toMatchObject({
      code: "not-admin",
      serverMessage: "Only administrators may read the two-factor compliance report.",
    });
    const closed = await startStub({ noReportModel: true });
    try {
      const unavailable = await reportError(fetchReport({ ...base, url: closed.url }));
      expect(unavailable.code).toBe("report-unavailable");
      expect(unavailable.hint).toMatch(/report: true/);
    } finally {
      await closed.close();
    }
  });

  it("says when the URL is wrong: unreachable, not Odoo, a redirect (the key never follows it)", async () => {
    const base = { db: "prod", login: "admin", apiKey: ADMIN_KEY };
    const gone = await startStub();
    await gone.close();
    expect(await reportError(fetchReport({ ...base, url: gone.url }))).toMatchObject({ code: "unreachable", message: expect.stringContaining("connection refused") });
    expect(await reportError(fetchReport({ ...base, url: `${stub.url}/web` }))).toMatchObject({ code: "http-error", message: expect.stringContaining("HTTP 404") });
    const page = await startStub({ htmlPage: true });
    try {
      expect(await reportError(fetchReport({ ...base, url: page.url }))).toMatchObject({ code: "not-xmlrpc" });
      expect(page.bodies.join("")).not.toContain(ADMIN_KEY);
    } finally {
      await page.close();
    }
    const redirecting = await startStub({ redirectTo: "https://elsewhere.example/xmlrpc/2/common" });
    try {
      const redirect = await reportError(fetchReport({ ...base, url: redirecting.url }));
      expect(redirect.code).toBe("redirect");
      expect(redirect.message).toContain("https://elsewhere.example");
      expect(redirecting.bodies.join("")).not.toContain(ADMIN_KEY);
    } finally {
      await redirecting.close();
    }
  });

  it("refuses rows that break the contract", async () => {
    for (const rows of [[{ ...ROWS[0]!, status: "not_required" }], [{ ...ROWS[0]!, login: false }], [{ ...ROWS[0]!, deadline: 5 }]]) {
      const odd = await startStub({ rows: rows as never });
      try {
        expect(await reportError(fetchReport({ url: odd.url, db: "prod", login: "admin", apiKey: ADMIN_KEY }))).toMatchObject({ code: "unexpected-answer" });
      } finally {
        await odd.close();
      }
    }
  });
});

describe("odoo-2fa report (CLI)", () => {
  let main: string;
  let work: string;
  let stub: Stub;
  const cli = (...args: string[]): Promise<Run> => runCli(main, work, args);
  const PASSWORD = "Tr0ub4dor&3-hunter2";

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "odoo-2fa-report-"));
    main = await buildCli();
    stub = await startStub({ rows: ROWS });
    await writeFile(path.join(work, "admin.key"), `${ADMIN_KEY}\n`, { mode: 0o600 });
    await chmod(path.join(work, "admin.key"), 0o600);
    await writeFile(path.join(work, "clerk.key"), USER_KEY, { mode: 0o600 });
    await chmod(path.join(work, "clerk.key"), 0o600);
    await writeFile(path.join(work, "password.txt"), `${PASSWORD}\n`, { mode: 0o600 });
    await chmod(path.join(work, "password.txt"), 0o600);
  });
  afterAll(async () => {
    await stub?.close();
    await rm(work, { recursive: true, force: true });
    if (main) await removeCli(main);
  });

  const target = () => ["--url", stub.url, "--db", "prod"];
  const noStackTrace = (run: Run) => expect(run.stdout + run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

  it("refuses --password and --api-key by name, exit 2, never echoing the value", async () => {
    for (const args of [
      ["report", ...target(), "--password", PASSWORD],
      ["report", "--password", PASSWORD],
      ["report", ...target(), `--password=${PASSWORD}`, "--api-key-file", "admin.key", "--unknown-option"],
      ["report", ...target(), "--api-key", ADMIN_KEY],
      ["report", ...target(), `--api-key=${ADMIN_KEY}`, "--api-key-file", "admin.key"],
    ]) {
      const run = await cli(...args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/odoo-2fa report: error: --(password|api-key) is refused: odoo-2fa report never takes a password/);
      expect(run.stderr).not.toMatch(/Unknown argument|Missing required/);
      expect(run.stderr).toMatch(/--api-key-file/);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.stdout + run.stderr).not.toContain(ADMIN_KEY);
      expect(stub.bodies).toHaveLength(0);
    }
    const json = await cli("report", ...target(), "--api-key", ADMIN_KEY, "--json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, command: "report", error: { kind: "secret-on-command-line" } });
    expect(json.stdout).not.toContain(ADMIN_KEY);
  });

  it("has no --password option in its help", async () => {
    const help = await cli("report", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--api-key-file");
    expect(help.stdout).not.toMatch(/^\s+--password/m);
    expect(help.stdout).toMatch(/Exit codes: 0 .* 1 .* 2 /s);
  });

  it("refuses a key file that holds a password (or anything but an API key), without showing it", async () => {
    await writeFile(path.join(work, "upper.key"), ADMIN_KEY.toUpperCase(), { mode: 0o600 });
    await writeFile(path.join(work, "spaced.key"), ` ${ADMIN_KEY}\n\n`, { mode: 0o600 });
    for (const file of ["password.txt", "upper.key", "spaced.key"]) {
      const run = await cli("report", ...target(), "--api-key-file", file);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--api-key-file ${file} does not hold an Odoo API key`);
      expect(run.stderr).toContain("never takes a password");
      expect(run.stderr).toMatch(/Preferences → Account Security → New API Key/);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      noStackTrace(run);
    }
    expect(stub.bodies).toHaveLength(0);
  });

  it("says when the key file is missing", async () => {
    const run = await cli("report", ...target(), "--api-key-file", "nowhere.key");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--api-key-file nowhere.key: no such file");
    const json = await cli("report", ...target(), "--api-key-file", "nowhere.key", "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { kind: "key-file-missing" } });
  });

  it("checks --url before anything is sent", async () => {
    for (const url of ["not a url", "ftp://erp.example.com", "https://admin:secret@erp.example.com"]) {
      const run = await cli("report", "--url", url, "--db", "prod", "--api-key-file", "admin.key");
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).not.toContain("secret@");
    }
  });

  it("warns when the key file is readable by group or others, and still reports", async () => {
    await writeFile(path.join(work, "shared.key"), `${ADMIN_KEY}\n`);
    await chmod(path.join(work, "shared.key"), 0o640);
    const run = await cli("report", ...target(), "--api-key-file", "shared.key", "--format", "json");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: shared\.key holds an API key and is readable by its group \(mode 0640\); run: chmod 600 shared\.key/);
    const quiet = await cli("report", ...target(), "--api-key-file", "admin.key", "--format", "json");
    expect(quiet.stderr).toBe("");
  });

  it("prints the report as json, csv and table; --json wraps it", async () => {
    const json = await cli("report", ...target(), "--api-key-file", "admin.key", "--format", "json");
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { rows: unknown[]; summary: { users: unknown } };
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.summary.users).toEqual({ enrolled: 1, grace: 1, missing: 0, exempt: 1, total: 3 });

    const csv = await cli("report", ...target(), "--api-key-file", "admin.key", "--format", "csv");
    expect(csv.code).toBe(0);
    expect(csv.stdout.split("\r\n")[0]).toBe("login,user,company,group,status,last_login,deadline");
    expect(csv.stdout).toContain("marc,Marc <Demo> & Co,Contoso,Internal User,enrolled,,\r\n");

    const table = await cli("report", ...target(), "--api-key-file", "admin.key");
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Two-factor compliance of database "prod"');
    expect(table.stdout).toMatch(/^GROUP\s+COMPANY\s+ENROLLED\s+GRACE\s+MISSING\s+EXEMPT\s+TOTAL$/m);
    expect(table.stdout).toMatch(/^Internal User\s+Contoso\s+1\s+1\s+0\s+0\s+2$/m);

    const wrapped = await cli("report", ...target(), "--api-key-file", "admin.key", "--json");
    expect(JSON.parse(wrapped.stdout)).toMatchObject({ ok: true, command: "report", db: "prod", serverVersion: "17.0", summary: { users: { total: 3 } } });
    expect(wrapped.stdout + json.stdout + csv.stdout + table.stdout).not.toContain(ADMIN_KEY);
  });

  it("exits 1 with a named reason when the server refuses", async () => {
    const notAdmin = await cli("report", ...target(), "--login", "clerk", "--api-key-file", "clerk.key");
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toMatch(/error: the user "clerk" may not read the compliance report: only administrators/);
    const wrongLogin = await cli("report", ...target(), "--api-key-file", "clerk.key", "--json");
    expect(wrongLogin.code).toBe(1);
    expect(JSON.parse(wrongLogin.stdout)).toMatchObject({ ok: false, error: { kind: "auth-failed", hint: expect.stringContaining("--login") } });
    const down = await cli("report", "--url", "http://127.0.0.1:9", "--db", "prod", "--api-key-file", "admin.key");
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach Odoo at http:\/\/127\.0\.0\.1:9/);
    for (const run of [notAdmin, wrongLogin, down]) {
      noStackTrace(run);
      expect(run.stdout + run.stderr).not.toContain(USER_KEY);
    }
  });

  it("the stub was never sent a password", () => {
    expect(existsSync(path.join(work, "password.txt"))).toBe(true);
    expect(stub.bodies.join("")).not.toContain(PASSWORD);
  });
});
