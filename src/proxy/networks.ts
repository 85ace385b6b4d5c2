/**
 * The little CIDR arithmetic the proxy renderers need: the networks they receive are already
 * normalised by the policy loader (network address, explicit prefix), so this only parses that
 * canonical form, checks it is safe to put into a server's config, and intersects two lists.
 */
import { cidrRange, parseCidr } from "../policy/cidr.js";

export interface Network {
  version: 4 | 6;
  /** First address of the network. */
  base: bigint;
  prefix: number;
  /** The CIDR text as given. */
  text: string;
}

/** Parses `address/prefix` (or a bare address, meaning one host); undefined when it is not one. */
export function parseNetwork(text: string): Network | undefined {
  const parsed = parseCidr(text);
  const range = cidrRange(text);
  if (!parsed.ok || !range) return undefined;
  return { version: range.version, base: range.first, prefix: Number(parsed.cidr.split("/")[1]), text };
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
