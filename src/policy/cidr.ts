/**
 * IPv4 / IPv6 networks in CIDR notation: parsing, validation and the canonical form the
 * generated addon receives (network address, explicit prefix, IPv6 compressed per RFC 5952).
 */

export type CidrResult =
  | { ok: true; cidr: string; version: 4 | 6 }
  | {
      ok: false;
      /** What is wrong, e.g. "10.20.1.0/16 has host bits set". */
      message: string;
      /** What to write instead, e.g. "10.20.0.0/16". */
      expected: string;
      hint?: string;
    };

const EXPECTED = "an IPv4 or IPv6 network such as 10.20.0.0/16 or 2001:db8::/48 (a bare address means that host only)";

function parseIpv4(text: string): number[] | string {
  const parts = text.split(".");
  if (parts.length !== 4) return "an IPv4 address has four dot-separated numbers";
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return `"${part}" is not a number from 0 to 255`;
    if (part.length > 1 && part.startsWith("0")) return `"${part}" has a leading zero (ambiguous: octal or decimal?)`;
    const value = Number(part);
    if (value > 255) return `${part} is greater than 255`;
    octets.push(value);
  }
  return octets;
}

/** 8 groups of 16 bits, or a reason why the text is not an IPv6 address. */
function parseIpv6(text: string): number[] | string {
  if (text.includes("%")) return "zone indexes (%eth0) cannot be used in a network";
  const halves = text.split("::");
  if (halves.length > 2) return '"::" may appear only once';
  const groupsOf = (half: string): number[] | string => {
    if (half === "") return [];
    const groups: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (piece.includes(".") && index === pieces.length - 1) {
        const v4 = parseIpv4(piece);
        if (typeof v4 === "string") return v4;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return `"${piece}" is not a group of 1 to 4 hexadecimal digits`;
      groups.push(Number.parseInt(piece, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  if (typeof head === "string") return head;
  if (halves.length === 1) return head.length === 8 ? head : "an IPv6 address has eight groups (or uses ::)";
  if (halves[0]!.includes(".")) return "an embedded IPv4 address must come last";
  const tail = groupsOf(halves[1]!);
  if (typeof tail === "string") return tail;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return 'too many groups for an address that uses "::"';
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}

function toBigInt(units: number[], bits: number): bigint {
  return units.reduce((acc, unit) => (acc << BigInt(bits)) | BigInt(unit), 0n);
}

function fromBigInt(value: bigint, count: number, bits: number): number[] {
  const mask = (1n << BigInt(bits)) - 1n;
  const units: number[] = [];
  for (let i = count - 1; i >= 0; i--) units.push(Number((value >> BigInt(i * bits)) & mask));
  return units;
}

/** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as "::" (first on a tie). */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * Parses a network. A bare address is the single host (`/32`, `/128`). A network whose host
 * bits are set is refused with the corrected network as what to write instead.
 */
export function parseCidr(input: string): CidrResult {
  const text = input.trim();
  const fail = (message: string, hint?: string): CidrResult => ({ ok: false, message, expected: EXPECTED, hint });
  if (text === "") return fail("an empty network");
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const version: 4 | 6 = address.includes(":") ? 6 : 4;
  const width = version === 4 ? 32 : 128;
  const parsed = version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (typeof parsed === "string")
    return fail(`"${input}" is not a valid IPv${version} ${prefixText === undefined ? "address" : "network"}`, parsed);
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width || (prefixText.length > 1 && prefixText.startsWith("0"))) {
      return fail(
        `"${input}" has an invalid prefix length "/${prefixText}"`,
        `an IPv${version} prefix length is a number from 0 to ${width}`,
      );
    }
    prefix = Number(prefixText);
  }
  const bits = version === 4 ? 8 : 16;
  const value = toBigInt(parsed, bits);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const network = value & ~hostMask;
  const format = (v: bigint) => (version === 4 ? fromBigInt(v, 4, 8).join(".") : formatIpv6(fromBigInt(v, 8, 16)));
  const canonical = `${format(network)}/${prefix}`;
  if (network !== value) {
    return {
      ok: false,
      message: `${input} has host bits set`,
      expected: canonical,
      hint: `a network is written with its first address; write ${canonical}, or ${format(value)}/${width} for that one host`,
    };
  }
  return { ok: true, cidr: canonical, version };
}

/** The canonical form of a valid network; throws on an invalid one (validate first). */
export function normaliseCidr(input: string): string {
  const result = parseCidr(input);
  if (!result.ok) throw new Error(result.message);
  return result.cidr;
}

/** The first and last address of a valid network, as numbers (for overlap checks). */
export function cidrRange(input: string): { version: 4 | 6; first: bigint; last: bigint } | undefined {
  const result = parseCidr(input);
  if (!result.ok) return undefined;
  const [address, prefixText] = result.cidr.split("/") as [string, string];
  const width = result.version === 4 ? 32 : 128;
  const parsed = result.version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (typeof parsed === "string") return undefined;
  const first = toBigInt(parsed, result.version === 4 ? 8 : 16);
  const last = first | ((1n << BigInt(width - Number(prefixText))) - 1n);
  return { version: result.version, first, last };
}
