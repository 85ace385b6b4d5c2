/**
 * What `odoo-2fa setup local-odoo` installs for the local backend of `verify`, and how it finds
 * what is missing: Debian's PostgreSQL server and Odoo's Python dependencies for /usr/bin/python3.
 * The one list of those packages (scripts/setup-local-odoo.sh and scripts/install.sh run this
 * command). Each entry may name alternatives (`a|b`): installed when one is, the first one apt
 * knows is installed otherwise (package names move between Debian releases).
 */
import { execa } from "execa";

export const LOCAL_ODOO_PACKAGES: readonly string[] = [
  "postgresql",
  "python3-werkzeug",
  "python3-lxml",
  "python3-psycopg2",
  "python3-passlib",
  "python3-babel",
  "python3-pil",
  "python3-reportlab",
  "python3-jinja2",
  "python3-polib",
  "python3-rjsmin",
  "python3-libsass",
  "python3-num2words",
  "python3-qrcode",
  "python3-zeep",
  "python3-stdnum",
  "python3-vobject",
  "python3-xlsxwriter",
  "python3-openpyxl",
  "python3-pypdf2|python3-pypdf",
  "python3-docutils",
  "python3-gevent",
  "python3-psutil",
  "python3-decorator",
  "python3-dateutil",
  "python3-cryptography",
  "python3-openssl",
  "python3-asn1crypto",
  "python3-ofxparse",
  "python3-pydot",
  "python3-requests",
  "python3-xlrd",
  "python3-xlwt",
  "python3-chardet",
  "python3-freezegun",
  "python3-geoip2",
  "python3-cbor2",
  "python3-magic",
  "python3-ldap",
];

/** An entry as doctor and setup print it: `a|b` reads `a (or b)`. */
export function describeEntry(entry: string): string {
  const [first, ...others] = entry.split("|");
  return others.length ? `${first} (or ${others.join(", or ")})` : first!;
}

/** The packages (of `names`) dpkg reports fully installed, from one dpkg-query call. */
export async function installedPackages(names: readonly string[]): Promise<Set<string>> {
  const result = await execa("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...names], { reject: false });
  const installed = new Set<string>();
  for (const line of result.stdout.split("\n")) {
    const [name, status] = line.trim().split(/\s+/);
    if (name && status === "installed") installed.add(name);
  }
  return installed;
}

/** The entries of LOCAL_ODOO_PACKAGES none of whose alternatives is installed. */
export async function missingEntries(entries: readonly string[] = LOCAL_ODOO_PACKAGES): Promise<string[]> {
  const installed = await installedPackages(entries.flatMap((entry) => entry.split("|")));
  return entries.filter((entry) => !entry.split("|").some((name) => installed.has(name)));
}

/** For each entry, the first alternative apt has a candidate for (after apt-get update); undefined: none. */
export async function choosePackages(entries: readonly string[]): Promise<{ install: string[]; unavailable: string[] }> {
  const names = entries.flatMap((entry) => entry.split("|"));
  const policy = await execa("apt-cache", ["policy", ...names], { reject: false, env: { LC_ALL: "C" } });
  const candidates = new Set<string>();
  let current = "";
  for (const line of policy.stdout.split("\n")) {
    const header = /^(\S+):$/.exec(line);
    if (header) current = header[1]!;
    else if (/^\s+Candidate:\s+(?!\(none\))\S/.test(line) && current) candidates.add(current);
  }
  const install: string[] = [];
  const unavailable: string[] = [];
  for (const entry of entries) {
    const choice = entry.split("|").find((name) => candidates.has(name));
    if (choice) install.push(choice);
    else unavailable.push(entry);
  }
  return { install, unavailable };
}

export async function hasCommand(name: string): Promise<boolean> {
  const result = await execa("sh", ["-c", `command -v ${name}`], { reject: false });
  return result.exitCode === 0;
}
