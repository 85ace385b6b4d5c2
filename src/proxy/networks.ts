/**
 * The little CIDR arithmetic the proxy renderers need: the networks they receive are already
 * normalised by the policy loader (network address, explicit prefix), so this only parses that
 * canonical form, checks it is safe to put into a server's config, and intersects two lists.
 */

export interface Network {
  version: 4 | 6;
  /** First address of the network. */
  base: bigint;
  prefix: number;
  /** The CIDR text as given. */
  text: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  let value = 0n;
  for (const part of match.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === "") return [];
    const result: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (piece.includes(".") && index === pieces.length - 1) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        result.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        result.push(Number.parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return result;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<number>(missing).fill(0), ...tail];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Parses `address/prefix` (or a bare address, meaning one host); undefined when it is not one. */
export function parseNetwork(text: string): Network | undefined {
  const [address = "", prefixText, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const version = address.includes(":") ? 6 : 4;
  const value = version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (value === undefined) return undefined;
  const bits = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { version, base: value & ~hostMask, prefix, text };
}

/**
 * The networks the renderers write into a config. Anything but a plain CIDR is refused, so a
 * policy value can never inject a directive (the loader has normalised them already; this is the
 * renderer's own guard).
 */
export function checkedNetworks(networks: readonly string[], key: string): string[] {
  for (const text of networks) {
    if (!/^[0-9A-Fa-f.:]+\/\d{1,3}$/.test(text) || parseNetwork(text) === undefined) {
      throw new Error(`${key}: "${text}" is not a normalised CIDR network`);
    }
  }
  return [...networks];
}

function contains(outer: Network, inner: Network): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  const bits = outer.version === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.base >> shift === outer.base >> shift;
}

/**
 * The networks in both lists: two CIDR networks either nest or are disjoint, so the
 * intersection is, for every overlapping pair, the more specific of the two. Order follows `a`,
 * then `b`; duplicates and networks inside another of the result are dropped.
 */
export function intersectNetworks(a: readonly string[], b: readonly string[]): string[] {
  const result: Network[] = [];
  const parsedB = b.map((text) => parseNetwork(text)).filter((n): n is Network => n !== undefined);
  for (const text of a) {
    const left = parseNetwork(text);
    if (!left) continue;
    for (const right of parsedB) {
      const inner = contains(left, right) ? right : contains(right, left) ? left : undefined;
      if (inner && !result.some((kept) => kept.text === inner.text)) result.push(inner);
    }
  }
  // A network inside another one of the result adds nothing.
  return result
    .filter((network) => !result.some((other) => other !== network && other.prefix < network.prefix && contains(other, network)))
    .map((network) => network.text);
}

/** Whether an address (no prefix) lies in one of the networks. */
export function addressIn(address: string, networks: readonly string[]): boolean {
  const host = parseNetwork(address);
  if (!host) return false;
  return networks.some((text) => {
    const network = parseNetwork(text);
    return network !== undefined && contains(network, host);
  });
}
