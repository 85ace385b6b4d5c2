/**
 * `npm run build` (after `tsc -p tsconfig.build.json`, which only type-checks): bundles the CLI
 * into dist/ with esbuild and precompiles the templates.
 *
 *   dist/cli/main.js                the `odoo-2fa` bin: yargs and the command declarations
 *   dist/chunks/*.js                code split at the handlers' dynamic imports, loaded per command
 *   dist/templates.precompiled.js   templates/ compiled by Handlebars (scripts/build-templates.ts)
 *
 * Why: loading ~200 small ES modules (yargs, zod, yaml, …) and compiling every template at run time
 * cost most of a `generate` (issue 8, benchmark 1: bench/RESULTS.md). Every output file sits one
 * folder below dist/, as tsc's output did, so the paths the code derives from `import.meta.url`
 * (`../../templates`, `../templates.precompiled.js`) are the same in both layouts.
 *
 *   tsx scripts/build-cli.ts [--metafile] [--no-minify]     (for analysis: dist/meta.json, readable code)
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { buildTemplates } from "./build-templates.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_DIST = path.join(REPO_ROOT, "dist");

/** src/version.ts reads ../package.json next to its own file; bundled, the version is inlined. */
function inlineVersion(version: string): Plugin {
  return {
    name: "inline-version",
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
        contents: `/** The tool's version (inlined from package.json by scripts/build-cli.ts). */\nexport const TOOL_VERSION = ${JSON.stringify(version)};\n`,
        loader: "ts",
      }));
    },
  };
}

/**
 * yargs' ESM platform shim locates its locales/ folder (and the app's root, for package.json
 * lookups) from its own `import.meta.url`. Bundled, that would be a dist/ chunk; point it at the
 * installed yargs instead, so messages, locales and lookups are exactly those of unbundled yargs.
 */
function yargsShimLocation(): Plugin {
  return {
    name: "yargs-shim-location",
    setup(b) {
      b.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const here = 'new URL("./lib/platform-shims/esm.mjs", import.meta.resolve("yargs/package.json")).href';
        const patched = source.replace(/import\.meta\.url/g, () => here);
        if ((source.match(/import\.meta\.url/g) ?? []).length !== 2)
          throw new Error(`yargs' ${args.path} changed: review the yargs-shim-location plugin`);
        return { contents: patched, loader: "js" };
      });
    },
  };
}

/**
 * string-width (yargs, and an older copy under cliui and wrap-ansi) builds an `Intl.Segmenter` and
 * Unicode-property regexes when its module loads: tens of milliseconds, on every command, since yargs
 * lays out the help text for each handler it runs. Printable ASCII (all our help text) has width =
 * length: string-width 8 has exactly this fast path. So each copy is wrapped: ASCII is answered at
 * once, anything else loads that very copy (bundled, evaluated on first use) and asks it.
 */
const lazyStringWidth: Plugin = {
  name: "lazy-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === "real") return undefined;
      const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "real" });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: "lazy-string-width" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      resolveDir: path.dirname(args.path),
      loader: "js",
      contents: `
        let real;
        export default function stringWidth(string, options) {
          if (typeof string === "string" && /^[\u0020-\u007E]*$/.test(string)) return string.length;
          real ??= require(${JSON.stringify(args.path)}).default;
          return real(string, options);
        }`,
    }));
  },
};

/**
 * zod's \`z\` namespace re-exports every locale (~300 kB); esbuild cannot drop the unused ones. The
 * tool only uses zod's default (English) messages, which zod imports from locales/en.js directly.
 */
const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
    }));
  },
};

/** The full Handlebars compiler stays a runtime dependency, loaded only to compile templates from a folder. */
const externalHandlebarsCompiler: Plugin = {
  name: "external-handlebars-compiler",
  setup(b) {
    b.onResolve({ filter: /^handlebars$/ }, () => ({ path: "handlebars", external: true }));
  },
};

/** `outDir` (default dist/): test/release builds the package it packs into a folder of its own. */
export async function buildCli(options: { metafile?: boolean; minify?: boolean; outDir?: string } = {}): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const DIST = options.outDir ?? DEFAULT_DIST;
  await rm(DIST, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: { "cli/main": "src/cli/main.ts" },
    outdir: DIST,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    // CommonJS dependencies (yaml, handlebars' runtime) call require() for node: built-ins.
    banner: {
      js: 'import { createRequire as __odoo2faCreateRequire } from "node:module";\nconst require = __odoo2faCreateRequire(import.meta.url);',
    },
    plugins: [inlineVersion(manifest.version), yargsShimLocation(), lazyStringWidth, zodEnglishOnly, externalHandlebarsCompiler],
    // Whitespace and syntax only: identifiers (and so class and function names) stay as written.
    minifySyntax: options.minify ?? true,
    minifyWhitespace: options.minify ?? true,
    keepNames: false,
    legalComments: "none",
    metafile: options.metafile ?? false,
    logLevel: "warning",
  });
  if (result.metafile) {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(DIST, "meta.json"), JSON.stringify(result.metafile));
  }
  await buildTemplates(path.join(DIST, "templates.precompiled.js"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli({ metafile: process.argv.includes("--metafile"), minify: !process.argv.includes("--no-minify") });
}
