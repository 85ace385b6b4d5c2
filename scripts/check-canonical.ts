// Shows what the formatters would change in a generated addon (the golden test only says
// that they would): npx tsx scripts/check-canonical.ts DIR
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createTwoFilesPatch } from "diff";
import { prettierXml, ruffCheck, ruffFormat } from "../test/support/canonical.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: check-canonical DIR");
let problems = 0;
for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
  const file = path.join(dir, name);
  if (!statSync(file).isFile()) continue;
  const source = readFileSync(file, "utf8");
  let formatted: string | undefined;
  if (file.endsWith(".py")) {
    formatted = ruffFormat(source);
    for (const d of ruffCheck(source, file)) {
      problems++;
      console.log(`${file}:${d.start_location.row}:${d.start_location.column}: ${d.code} ${d.message}`);
    }
  } else if (file.endsWith(".xml")) {
    formatted = await prettierXml(source);
  }
  if (formatted !== undefined && formatted !== source) {
    problems++;
    process.stdout.write(createTwoFilesPatch(file, `${file} (formatted)`, source, formatted));
  }
}
console.log(problems ? `${problems} problem(s)` : "canonical");
process.exitCode = problems ? 1 : 0;
