import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Argv, CommandModule } from "yargs";
import { CliError, command, EXIT_BAD_INPUT, EXIT_OK, formatIssue, formatIssues, writeErr, writeJson, type GlobalOptions } from "../output.js";

const FORMATS = ["nginx", "apache", "caddy", "haproxy"] as const;

interface ProxyArgs extends GlobalOptions {
  policy: string;
  format: (typeof FORMATS)[number];
  upstream: string;
  longpolling: string;
  out?: string;
}

/** Writes next to the target, then renames: a reader never sees half a snippet. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export const proxyCommand: CommandModule<GlobalOptions, ProxyArgs> = {
  command: "proxy <policy>",
  describe: "Generate reverse-proxy rules (nginx, Apache, Caddy, HAProxy) from a policy",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional("policy", { type: "string", describe: "The policy file (.yaml, .yml or .json)", demandOption: true })
      .option("format", { choices: FORMATS, demandOption: true, describe: "Which proxy server the snippet is for" })
      .option("upstream", { type: "string", default: "127.0.0.1:8069", describe: "Odoo's HTTP port, host:port" })
      .option("longpolling", {
        type: "string",
        default: "127.0.0.1:8072",
        describe: "Odoo's longpolling/websocket (gevent) port, host:port",
      })
      .option("out", { type: "string", describe: "Write the snippet to this file instead of standard output" })
      .example("$0 proxy policy.yaml --format nginx --out /etc/nginx/snippets/odoo-2fa.conf", "nginx location blocks")
      .example("$0 proxy policy.yaml --format haproxy --upstream 10.0.0.5:8069", "an HAProxy backend") as Argv<ProxyArgs>,
  handler: command<ProxyArgs>("proxy", async (args) => {
    const { checkHostPort, policySha256, renderProxySnippet } = await import("../../proxy/index.js");
    const { TOOL_VERSION } = await import("../../version.js");
    for (const [option, value] of [
      ["--upstream", args.upstream],
      ["--longpolling", args.longpolling],
    ] as const) {
      const problem = checkHostPort(value);
      if (problem) throw new CliError(`${option}: ${problem}`, "usage", { kind: "usage", expected: "host:port, e.g. 127.0.0.1:8069 or [::1]:8069" });
    }
    const { loadPolicy } = await import("../../generate/policy-file.js");
    const loaded = await loadPolicy(args.policy);
    if (!loaded.ok) {
      if (args.json) writeJson({ ok: false, command: "proxy", file: args.policy, issues: loaded.issues });
      // stderr: standard output may be redirected into the server's config.
      else writeErr(formatIssues(loaded.issues, args.policy));
      return EXIT_BAD_INPUT;
    }
    const digest = policySha256(loaded.policy);
    const snippet = renderProxySnippet(loaded.policy, args.format, {
      upstream: args.upstream,
      longpolling: args.longpolling,
      policyFile: args.policy,
      policySha256: digest,
      toolVersion: TOOL_VERSION,
    });
    // Caddy 2.6 has no trusted_proxies: the snippet uses `remote_ip forwarded`, which later Caddy refuses.
    const notes =
      args.format === "caddy" && loaded.policy.proxy.trustedUpstreams
        ? ["caddy: the proxy.trusted_upstreams rules are for Caddy 2.6 (Debian's and Ubuntu's package); Caddy 2.7 and later refuse to load them"]
        : [];
    if (args.out) await writeAtomically(args.out, snippet);
    if (args.json) {
      writeJson({
        ok: true,
        command: "proxy",
        file: args.policy,
        format: args.format,
        policySha256: digest,
        toolVersion: TOOL_VERSION,
        warnings: loaded.warnings,
        ...(notes.length > 0 ? { notes } : {}),
        ...(args.out ? { out: args.out } : { snippet }),
      });
      return EXIT_OK;
    }
    // The snippet may go to stdout: warnings and the summary go to stderr.
    for (const warning of loaded.warnings) writeErr(formatIssue(warning));
    for (const note of notes) writeErr(`note: ${note}`);
    if (args.out) writeErr(`wrote ${args.format} rules to ${args.out}`);
    else process.stdout.write(snippet);
    return EXIT_OK;
  }),
};
