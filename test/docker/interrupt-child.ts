/**
 * Run by docker.test.ts as a separate process: starts a docker verify and prints its progress
 * events as JSON lines, so that the test can interrupt it (SIGINT) mid-run and check that
 * nothing is left on the daemon.  argv: ADDON_DIR SERIES ODOO_IMAGE POSTGRES_IMAGE DOCKER_HOST
 */
import { verifyAddonDocker } from "../../src/verify/docker/index.js";

const [addonDir, series, odooImage, postgresImage, dockerHost] = process.argv.slice(2);
const report = await verifyAddonDocker({
  addonDir: addonDir!,
  series: series!,
  odooImage,
  postgresImage,
  dockerHost: dockerHost || undefined,
  pull: "never",
  onProgress: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
process.stdout.write(`${JSON.stringify({ done: true, exitCode: report.exitCode })}\n`);
