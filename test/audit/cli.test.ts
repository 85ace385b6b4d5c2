/**
 * `odoo-2fa audit` refusals before anything is sent: a listening socket counts connections,
 * and every bad input leaves it at zero (exit 2). `--help` says the command is read-only.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, removeCli, runCli } from "../cli/run-cli.js";
import { EXAMPLES_DIR } from "../support/examples.js";

let main = "";
let scratch = "";
let server: net.Server;
let connections = 0;
let url = "";
const KEY = "0123456789abcdef0123456789abcdef01234567";

beforeAll(async () => {
  main = await buildCli();
  scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-audit-cli-"));
  // Counts connections and answers each with a 404 (not a reset: undici's fetch can hang on a
  // POST whose connection is reset before the request is written).
  server = net.createServer((socket) => {
    connections += 1;
    socket.once("data", () => socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server.close();
  await removeCli(main);
  await rm(scratch, { recursive: true, force: true });
});

describe("odoo-2fa audit, before anything is sent", () => {
  it("says it is read-only in --help", async () => {
    const help = await runCli(main, scratch, ["audit", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("READ-ONLY: the audit creates, changes and deletes nothing on the server");
  });

  it("refuses bad input with exit 2 and sends nothing", async () => {
    const keyFile = path.join(scratch, "key");
    await writeFile(keyFile, `${KEY}\n`);
    await chmod(keyFile, 0o600);
    const password = path.join(scratch, "password");
    await writeFile(password, "hunter2-Pass\n");
    await chmod(password, 0o600);
    const badPolicy = path.join(scratch, "bad.yaml");
    await writeFile(badPolicy, "schema: 1\nenforce: {grace_dayz: 3}\n");
    const cases: [string[], RegExp][] = [
      [["--api-key-file", keyFile, "--password", "hunter2-Pass"], /--password is refused/],
      [["--api-key-file", password], /does not hold an Odoo API key/],
      [["--api-key-file", path.join(scratch, "nope")], /no such file/],
      [["--api-key-file", keyFile, "--policy", badPolicy], /grace_dayz[\s\S]*nothing sent/],
      [["--api-key-file", keyFile, "--format", "pdf"], /Invalid values/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(main, scratch, ["audit", "--url", url, "--db", "prod", ...args]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain("hunter2-Pass");
      expect(run.stdout + run.stderr).not.toContain(KEY);
    }
    expect(connections).toBe(0);
    // The same key file and a valid policy do go out: the socket sees them.
    const sent = await runCli(main, scratch, ["audit", "--url", url, "--db", "prod", "--api-key-file", keyFile, "--policy", path.join(EXAMPLES_DIR, "customer-portal.yaml")]);
    expect(sent.code).toBe(1);
    expect(sent.stderr.split("\n")[0]).toMatch(/^odoo-2fa audit: error: .* answered XML-RPC with HTTP 404/);
    expect(sent.stdout + sent.stderr).not.toContain(KEY);
    expect(connections).toBeGreaterThan(0);
  });
});
