import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const manifest = require("../package.json") as { version: string };

/** The tool's version, recorded in generated files that name their generator. */
export const TOOL_VERSION: string = manifest.version;
