import type { Argv, CommandModule } from "yargs";
import { command, EXIT_CHECK_FAILED, EXIT_OK, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { parseSeriesList } from "../series.js";

interface DoctorArgs extends GlobalOptions {
  odoo: string[];
  python?: string;
}

/** One thing verify needs: found (with what) or not (with where it looked and what to do). */
interface Finding {
  what: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

/**
 * `odoo-2fa doctor`: what `verify` needs on this machine and where it looked, with the same
 * lookups verify itself makes (src/verify/environment.ts, src/verify/docker/daemon.ts), so the
 * two cannot disagree. Read-only: it starts nothing and writes nothing.
 */
export const doctorCommand: CommandModule<GlobalOptions, DoctorArgs> = {
  command: "doctor",
  describe: "Show what verify needs and where it looked: Odoo source trees, Python, PostgreSQL, Docker",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option("odoo", {
        type: "string",
        array: true,
        default: ["all"],
        requiresArg: true,
        describe: "The series to look for source trees of (default: all)",
      })
      .option("python", { type: "string", requiresArg: true, describe: "The Python verify would be given with --python" })
      .epilogue(
        "The local backend (verify) needs a source tree of the series, a Python with Odoo's dependencies and PostgreSQL's server; " +
          "the Docker backend (verify --docker) a Docker daemon. Exit codes: 0 the local backend can run for at least one series, 1 otherwise.",
      ) as unknown as Argv<DoctorArgs>,
  handler: command<DoctorArgs>("doctor", async (args) => {
    const seriesList = parseSeriesList(args.odoo);
    const [env, { VerifyError }, { findDocker }, { LOCAL_ODOO_PACKAGES, describeEntry, hasCommand, missingEntries }] = await Promise.all([
      import("../../verify/environment.js"),
      import("../../verify/errors.js"),
      import("../../verify/docker/daemon.js"),
      import("../local-odoo.js"),
    ]);
    const probe = async (what: string, found: () => Promise<string> | string): Promise<Finding> => {
      try {
        return { what, ok: true, detail: await found() };
      } catch (error) {
        if (error instanceof VerifyError) return { what, ok: false, detail: error.message, ...(error.hint ? { hint: error.hint } : {}) };
        throw error;
      }
    };
    const trees = await Promise.all(
      seriesList.map((series) =>
        probe(`Odoo ${series} source tree`, () => {
          const tree = env.locateTree(series);
          return `${tree.root} (Odoo ${tree.version})`;
        }),
      ),
    );
    const python = await probe("Python with Odoo's dependencies", async () => `${await env.findPython(args.python)}`);
    const postgres = await probe("PostgreSQL server binaries", () => {
      const pg = env.findPostgres();
      return `${pg.bindir}${pg.major ? ` (PostgreSQL ${pg.major})` : ""}`;
    });
    const packages: Finding = (await hasCommand("dpkg-query"))
      ? await missingEntries().then((missing) =>
          missing.length === 0
            ? { what: "Debian packages (setup local-odoo)", ok: true, detail: `all ${LOCAL_ODOO_PACKAGES.length} installed` }
            : {
                what: "Debian packages (setup local-odoo)",
                ok: false,
                detail: `${missing.length} of ${LOCAL_ODOO_PACKAGES.length} missing: ${missing.map(describeEntry).join(", ")}`,
                hint: "Run `odoo-2fa setup local-odoo` (asks before installing; root or sudo).",
              },
        )
      : { what: "Debian packages (setup local-odoo)", ok: false, detail: "not Debian (no dpkg-query)", hint: "Install PostgreSQL and Odoo's Python requirements yourself." };
    const docker = await probe("Docker daemon (verify --docker only)", async () => {
      const d = await findDocker();
      return `${d.host ?? "the default socket"} (Docker ${d.serverVersion})`;
    });
    const cache: Finding = { what: "cache (template databases, logs)", ok: true, detail: env.cacheRoot() };
    const findings = [...trees, python, postgres, packages, docker, cache];
    const localReady = trees.some((tree) => tree.ok) && python.ok && postgres.ok;
    const ready = seriesList.filter((_series, i) => trees[i]!.ok && python.ok && postgres.ok);
    if (args.json) writeJson({ ok: localReady, command: "doctor", local: { ready }, docker: docker.ok, findings });
    else {
      for (const finding of findings) {
        writeOut(`${finding.ok ? "ok     " : "missing"} ${finding.what}: ${finding.detail}`);
        if (!finding.ok && finding.hint) writeOut(`        hint: ${finding.hint}`);
      }
      writeOut(
        localReady
          ? `verify (local backend) can run for ${ready.join(", ")}${docker.ok ? "; verify --docker can run too" : ""}`
          : `verify's local backend cannot run yet${docker.ok ? " (verify --docker can)" : ""}: see the hints above`,
      );
    }
    return localReady ? EXIT_OK : EXIT_CHECK_FAILED;
  }),
};
