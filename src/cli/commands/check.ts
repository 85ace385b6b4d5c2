import type { Argv, CommandModule } from "yargs";
import { command, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { planFromArgs, planningOptions, type PlanningArgs } from "../planning.js";

interface CheckArgs extends PlanningArgs {
  proxy: string[];
}

export const checkCommand: CommandModule<GlobalOptions, CheckArgs> = {
  command: "check <policy>",
  describe: "Exit 0 when the addon(s) on disk are exactly what the policy and this tool generate; 1 with the reasons",
  builder: (yargs: Argv<GlobalOptions>) =>
    planningOptions(yargs, "Where the addon(s) were generated (the --out of generate)")
      .option("proxy", {
        type: "string",
        array: true,
        default: [],
        describe: "A reverse-proxy snippet written by `odoo-2fa proxy`, checked against the policy too (repeatable)",
      })
      .example("$0 check policy.yaml --odoo all --out addons", "in CI or a pre-commit hook")
      .example("$0 check policy.yaml --odoo all --out addons --proxy deploy/odoo-2fa.nginx", "the proxy snippet too") as unknown as Argv<CheckArgs>,
  handler: command<CheckArgs>("check", async (args) => {
    const planned = await planFromArgs(args, "check");
    if (!planned) return EXIT_BAD_INPUT;
    const { driftOf } = await import("../../plan/addons.js");
    const { describeDrift } = await import("../../plan/drift.js");
    const addons = planned.plans.map((addon) => {
      const drift = driftOf(addon, planned.policy, planned.templates);
      return { series: addon.series, dir: addon.dir, ...drift, reasons: describeDrift(drift) };
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
      }
      for (const proxy of proxies) {
        if (proxy.status === "current") writeOut(`${proxy.file}: up to date`);
        else for (const reason of proxy.reasons) writeOut(`${proxy.file}: proxy snippet ${proxy.status}: ${reason}`);
      }
      if (!addons.every((addon) => addon.clean))
        writeOut(`drift found; run: odoo-2fa generate ${args.policy} --odoo ${args.odoo.join(",")} --out ${args.out}`);
      if (!proxies.every((proxy) => proxy.status === "current"))
        writeOut(`proxy snippet drift; rerun the odoo-2fa proxy command named in the snippet's header`);
    }
    return clean ? EXIT_OK : EXIT_CHECK_FAILED;
  }),
};
