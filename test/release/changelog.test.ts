/**
 * Versions a user can pin: package.json's version has a CHANGELOG entry; the README's install
 * examples and its pre-commit example pin that version's tag (the release process in
 * CHANGELOG.md creates it), with a hook id and arguments the repository's hook file and CLI take;
 * every tag the repository has is a version with an entry, at a commit of that version; and the
 * untagged 0.1.0 commit the CHANGELOG names exists and is 0.1.0.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/examples.js";

const read = (name: string) => readFileSync(path.join(REPO_ROOT, name), "utf8");
const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" }).trim();
const version = (JSON.parse(read("package.json")) as { version: string }).version;
const changelog = read("CHANGELOG.md");
const readme = read("README.md");

/** The README's pre-commit example: the yaml block after "As a pre-commit hook". */
function preCommitExample(): { repos: { repo: string; rev: string; hooks: { id: string; args: string[] }[] }[] } {
  const section = readme.slice(readme.indexOf("As a pre-commit hook"));
  return parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!);
}

describe("versions a user can pin", () => {
  it("package.json's version has a CHANGELOG entry, and the package ships the CHANGELOG", () => {
    expect(changelog).toMatch(new RegExp(`^## ${version.replace(/\./g, "\\.")} \\(`, "m"));
    expect((JSON.parse(read("package.json")) as { files: string[] }).files).toContain("CHANGELOG.md");
  });

  it("the README pins this version's tag: tarball, git URL and the pre-commit hook", () => {
    const install = readme.slice(readme.indexOf("## Install"), readme.indexOf("## Quickstart"));
    expect(install).toContain(`odoo-2fa-${version}.tgz`);
    expect(install).toContain(`#v${version}`);
    const [entry] = preCommitExample().repos;
    expect(entry!.rev).toBe(`v${version}`);
    const hooks = parse(read(".pre-commit-hooks.yaml")) as { id: string; entry: string }[];
    const hook = hooks.find((h) => h.id === entry!.hooks[0]!.id);
    expect(hook, "the README's hook id is one .pre-commit-hooks.yaml defines").toBeDefined();
    expect(hook!.entry).toBe("odoo-2fa check");
    expect(entry!.hooks[0]!.args).toEqual(["policy.yaml", "--odoo", "all", "--out", "addons"]);
  });

  it("every tag is a version with an entry, at a commit of that version", () => {
    for (const tag of git("tag", "--list", "v*").split("\n").filter(Boolean)) {
      const tagged = tag.slice(1);
      expect(changelog, tag).toMatch(new RegExp(`^## ${tagged.replace(/\./g, "\\.")} \\(`, "m"));
      expect((JSON.parse(git("show", `${tag}:package.json`)) as { version: string }).version, tag).toBe(tagged);
    }
  });

  it.skipIf(git("rev-parse", "--is-shallow-repository") === "true")("the commit the CHANGELOG names for 0.1.0 is 0.1.0", () => {
    const commit = /^## 0\.1\.0 \([^)]*commit `([0-9a-f]{7,40})`/m.exec(changelog)?.[1];
    expect(commit, "CHANGELOG names 0.1.0's commit").toBeDefined();
    expect((JSON.parse(git("show", `${commit}:package.json`)) as { version: string }).version).toBe("0.1.0");
    expect(git("show", `${commit}:.pre-commit-hooks.yaml`)).toContain("id: odoo-2fa-check");
  });
});
