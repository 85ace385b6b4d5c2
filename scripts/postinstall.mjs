// Builds the CLI after `npm ci` / `npm install` in a source checkout (where src/ exists), so
// `npx odoo-2fa` works with no further step. An installed package ships dist/ and skips this.
// This is a postinstall, not a prepare script: `npm pack` (which pre-commit runs to install the
// hook) would print a prepare script's banner on stdout, where pre-commit reads the file name.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
if (existsSync(new URL("../src/cli/main.ts", import.meta.url))) {
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, "run", "--silent", "build"]] : ["npm", ["run", "--silent", "build"]];
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", process.stderr, process.stderr] });
  process.exit(result.status ?? 1);
}
