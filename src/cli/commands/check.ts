import type { Argv, CommandModule } from "yargs";
import type { PolicyIssue } from "../../policy/issues.js";
import { SERIES, type Series } from "../../policy/model.js";
import {
  CliError,
  command,
  EXIT_BAD_INPUT,
  EXIT_CHECK_FAILED,
  EXIT_OK,
  formatIssue,
  formatIssues,
  writeErr,
  writeJson,
  writeOut,
  type ExitCode,
  type GlobalOptions,
} from "../output.js";
import { LAYOUT_OPTION, planFromArgs, STRICT_OPTION, type PlanningArgs } from "../planning.js";
import { readKey, remoteArgs, remoteOptions, serverError, type RemoteArgs } from "../remote.js";
import { parseSeriesList } from "../series.js";

/** Without --url: the addon folders (--odoo, --out, --proxy). With --url: a running database. */
interface CheckArgs extends GlobalOptions, Partial<RemoteArgs> {
  policy: string;
  odoo?: string[];
  out?: string;
  strict: boolean;
  layout?: "default" | "oca";
  proxy: string[];
}

/** Options of one mode given in the other: refused, so that nothing is silently ignored. */
function checkModes(argv: CheckArgs): true {
  if (argv.url !== undefined) {
    if (argv.out !== undefined) throw new Error("--url and --out are exclusive: --out checks the addon folders, --url a running database");
    if (argv.proxy.length > 0) throw new Error("--url and --proxy are exclusive: check the proxy snippet in a run without --url");
    const missing = [argv.db === undefined ? "db" : "", argv.apiKeyFile === undefined ? "api-key-file" : ""].filter(Boolean);
    if (missing.length) throw new Error(`Missing required argument${missing.length > 1 ? "s" : ""} with --url: ${missing.join(", ")}`);
    return true;
  }
  const remote = (["db", "api-key-file", "login", "timeout"] as const).filter((name) => argv[name === "api-key-file" ? "apiKeyFile" : name] !== undefined);
  if (remote.length) throw new Error(`${remote.map((name) => `--${name}`).join(", ")} need${remote.length === 1 ? "s" : ""} --url (a running database)`);
  const missing = [argv.odoo === undefined ? "odoo" : "", argv.out === undefined ? "out" : ""].filter(Boolean);
  if (missing.length) throw new Error(`Missing required argument${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (or --url to check a running database)`);
  return true;
}

export const checkCommand: CommandModule<GlobalOptions, CheckArgs> = {
  command: "check <policy>",
  describe: "Exit 0 when the addon(s) on disk (--out), or a running database (--url), are exactly what the policy says; 1 with the reasons",
  builder: (yargs: Argv<GlobalOptions>) =>
    remoteOptions(
      yargs
        .positional("policy", { type: "string", describe: "The policy file (.yaml, .yml or .json)", demandOption: true })
        .option("odoo", {
          type: "string",
          array: true,
          requiresArg: true,
          describe: `Odoo series: ${SERIES.join(", ")}, several separated by commas, or all; with --url one series (default: the server's)`,
        })
        .option("out", { type: "string", requiresArg: true, describe: "Where the addon(s) were generated (the --out of generate)" })
        .option("layout", LAYOUT_OPTION)
        .option("strict", STRICT_OPTION)
        .option("proxy", {
          type: "string",
          array: true,
          default: [],
          describe: "A reverse-proxy snippet written by `odoo-2fa proxy`, checked against the policy too (repeatable)",
        }),
      "check",
      false,
    )
      .check(checkModes as never)
      .example("$0 check policy.yaml --odoo all --out addons", "in CI or a pre-commit hook")
      .example("$0 check policy.yaml --odoo all --out addons --proxy deploy/odoo-2fa.nginx", "the proxy snippet too")
      .example("$0 check policy.yaml --url https://erp.example.com --db prod --api-key-file ~/.config/odoo-2fa/prod.key", "what a running database enforces")
      .epilogue(
        "With --url (and --db, --api-key-file; an administrator's API key, never a password): compares the installed addon, its version, " +
          "the deployed policy and every value the database enforces (Settings included) with the policy file.\n\n" +
          "Exit codes: 0 up to date; 1 drift (each difference printed), or the server refused or failed; 2 bad input or usage " +
          "(options, the policy file, the key file).",
      ) as unknown as Argv<CheckArgs>,
  handler: command<CheckArgs>("check", async (args) => (args.url !== undefined ? checkDatabase(args) : checkFolders(args as CheckArgs & PlanningArgs))),
};

/** The addon folders and proxy snippets on disk. */
async function checkFolders(args: CheckArgs & PlanningArgs): Promise<ExitCode> {
  const planned = await planFromArgs(args, "check");
  if (!planned) return EXIT_BAD_INPUT;
  const { driftOf } = await import("../../plan/addons.js");
  const { describeDrift, describeKept } = await import("../../plan/drift.js");
  const addons = planned.plans.map((addon) => {
    const drift = driftOf(addon, planned.policy, planned.templates);
    return { series: addon.series, dir: addon.dir, ...drift, reasons: describeDrift(drift), notes: describeKept(drift) };
  });
  const { proxySnippetFileStatus } = await import("../../proxy/index.js");
  const { TOOL_VERSION } = await import("../../version.js");
  const proxies = await Promise.all(
    args.proxy.map(async (file) => ({ file, ...(await proxySnippetFileStatus(file, planned.policy, TOOL_VERSION)) })),
  );
  const clean = addons.every((addon) => addon.clean) && proxies.every((proxy) => proxy.status === "current");
  if (args.json) writeJson({ ok: clean, command: "check", file: args.policy, addons, proxies });
  else {
    for (const addon of addons) {
      if (addon.clean) writeOut(`${addon.dir}/ (${addon.series}): up to date`);
      else for (const reason of addon.reasons) writeOut(`${addon.dir}/ (${addon.series}): ${reason}`);
      for (const note of addon.notes) writeOut(`${addon.dir}/ (${addon.series}): ${note}`);
    }
    for (const proxy of proxies) {
      if (proxy.status === "current") writeOut(`${proxy.file}: up to date`);
      else for (const reason of proxy.reasons) writeOut(`${proxy.file}: proxy snippet ${proxy.status}: ${reason}`);
    }
    const generate = `odoo-2fa generate ${args.policy} --odoo ${args.odoo.join(",")} --out ${args.out}`;
    const onlyEdits = addons.every(
      (addon) => addon.clean || (!addon.notGenerated && !addon.policyChanged && !addon.toolChanged && !addon.missing.length && !addon.extra.length),
    );
    if (!addons.every((addon) => addon.clean))
      writeOut(
        onlyEdits
          ? `drift found (files edited by hand); to keep the edits, record them: ${generate} --on-conflict keep; to restore the generated files: ${generate} --on-conflict overwrite`
          : `drift found; run: ${generate}`,
      );
    if (!proxies.every((proxy) => proxy.status === "current"))
      writeOut(`proxy snippet drift; rerun the odoo-2fa proxy command named in the snippet's header`);
  }
  return clean ? EXIT_OK : EXIT_CHECK_FAILED;
}

function invalidPolicy(args: CheckArgs, issues: PolicyIssue[]): ExitCode {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  if (args.json) writeJson({ ok: false, command: "check", file: args.policy, errors, warnings: issues.length - errors, issues });
  else writeErr(formatIssues(issues, args.policy));
  return EXIT_BAD_INPUT;
}

/**
 * A running database against the policy, over XML-RPC with an administrator's API key. Bad input
 * (options, the policy, the key file) is found before the key is sent anywhere; the policy's
 * groups are checked against the server's series once `common.version()` has named it.
 */
async function checkDatabase(args: CheckArgs): Promise<ExitCode> {
  const { args: remote, urlWarning } = remoteArgs(args);
  const given = args.odoo === undefined ? undefined : parseSeriesList(args.odoo);
  if (given && given.length !== 1)
    throw new CliError(`--odoo names ${given.length} series; check --url compares one database, of one series`, "usage", {
      kind: "usage",
      expected: `one of ${SERIES.join(", ")}, or no --odoo (the server's series)`,
    });
  const { loadPolicy } = await import("../../generate/policy-file.js");
  let loaded = await loadPolicy(args.policy, { series: given ?? [], strict: args.strict });
  if (!loaded.ok) return invalidPolicy(args, loaded.issues);
  const { key, warning } = await readKey(remote.apiKeyFile, "check");
  if (warning) writeErr(warning);
  if (urlWarning) writeErr(urlWarning);

  const [{ ReportError }, session, live, { compareLive, shortDigest }] = await Promise.all([
    import("../../report/errors.js"),
    import("../../report/session.js"),
    import("../../check/live.js"),
    import("../../check/compare.js"),
  ]);
  const target = { url: remote.url, db: remote.db, login: remote.login, apiKey: key };
  const options = { timeoutMs: remote.timeout * 1000 };
  try {
    const server = await session.probeServer(remote.url, options);
    let series: Series;
    if (given) series = given[0]!;
    else {
      if (!(SERIES as readonly string[]).includes(server.serverSerie))
        throw new ReportError(
          "unsupported-series",
          `Odoo at ${remote.url} runs ${server.serverVersion} (series ${server.serverSerie || "unknown"}); odoo-2fa supports ${SERIES.join(", ")}`,
          `pass --odoo with the series the addon was generated for`,
        );
      series = server.serverSerie as Series;
      loaded = await loadPolicy(args.policy, { series: [series], strict: args.strict });
      if (!loaded.ok) return invalidPolicy(args, loaded.issues);
    }
    const policy = loaded.policy;
    if (!args.json && loaded.warnings.length) writeErr(loaded.warnings.map(formatIssue).join("\n"));

    const connected = await session.authenticate(target, server, options);
    const module = await live.readModule(connected, policy.addon.name);
    const state = module?.state === "installed" ? await live.readDeploymentState(connected, policy.addon.name) : undefined;
    const result = compareLive(policy, { db: remote.db, serverSerie: server.serverSerie, series, seriesGiven: given !== undefined, module, ...(state ? { state } : {}) });

    if (args.json) {
      const { ok, ...comparison } = result;
      writeJson({
        ok,
        command: "check",
        file: args.policy,
        url: remote.url,
        db: remote.db,
        login: remote.login,
        serverVersion: server.serverVersion,
        ...comparison,
        database: {
          module: module ?? null,
          ...(state
            ? {
                installedVersion: module?.latestVersion ?? state.installedVersion,
                shippedVersion: state.shippedVersion,
                deployedDigest: state.deployedDigest,
                deployedVersion: state.deployedVersion,
                deployedDate: state.deployedDate,
                shippedDigest: state.shippedDigest,
                editable: state.editable,
                enforced: state.enforced,
              }
            : {}),
        },
        warnings: loaded.warnings,
      });
      return result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
    }
    const where = `database "${remote.db}" at ${remote.url} (Odoo ${server.serverVersion})`;
    if (result.ok)
      writeOut(
        `${where}: up to date: ${result.addon} ${result.expected.version}, policy ${shortDigest(result.expected.digest)}` +
          (state?.deployedDate ? ` deployed ${state.deployedDate} UTC` : ""),
      );
    else {
      writeOut(`${where}, addon ${result.addon}:`);
      for (const finding of result.findings) writeOut(`  ${finding.message}`);
      writeOut(`drift found; ${result.hints.join("; ")}`);
    }
    return result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
  } catch (error) {
    if (error instanceof ReportError) throw serverError(error);
    throw error;
  }
}
