import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIpv6, parseCidr } from "../../src/policy/cidr.js";

const ok = (input: string) => {
  const result = parseCidr(input);
  if (!result.ok) throw new Error(`${input}: ${result.message}`);
  return result.cidr;
};

describe("CIDR normalisation", () => {
  it.each([
    ["10.20.0.0/16", "10.20.0.0/16"],
    ["192.0.2.7", "192.0.2.7/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    [" 10.0.0.0/8 ", "10.0.0.0/8"],
    ["2001:db8::/48", "2001:db8::/48"],
    ["2001:DB8:0:0::/48", "2001:db8::/48"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1/128"],
    ["::1", "::1/128"],
    ["::", "::/128"],
    ["::/0", "::/0"],
    ["fe80::/10", "fe80::/10"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1/128"], // the longest zero run is compressed
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1/128"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1/128"], // a tie: the first run
    ["2001:db8:1:1:1:1:0:1", "2001:db8:1:1:1:1:0:1/128"], // a single zero group is not compressed
    ["::ffff:192.0.2.1", "::ffff:c000:201/128"],
  ])("%s → %s", (input, expected) => {
    expect(ok(input)).toBe(expected);
  });

  it.each([
    ["10.20.1.0/16", "10.20.0.0/16"],
    ["192.0.2.7/24", "192.0.2.0/24"],
    ["2001:db8::1/48", "2001:db8::/48"],
    ["2001:DB8:0:ff00::/40", "2001:db8::/40"],
  ])("%s has host bits set; write %s", (input, corrected) => {
    const result = parseCidr(input);
    expect(result).toMatchObject({ ok: false, message: `${input} has host bits set`, expected: corrected });
    expect(result.ok || result.hint).toContain(`write ${corrected}`);
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.256",
    "10.0.0.01",
    "10.0.0.0/33",
    "10.0.0.0/",
    "10.0.0.0/-1",
    "10.0.0.0/08",
    "2001:db8::/129",
    "2001:db8:::1",
    "2001:db8::1::1",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "2001:db8::g",
    "fe80::1%eth0",
    "example.com",
    "10.0.0.0/8/8",
  ])("%j is refused", (input) => {
    expect(parseCidr(input).ok).toBe(false);
  });

  it("IPv6 formatting round-trips and matches the WHATWG URL serialiser", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
        (groups) => {
          const text = formatIpv6(groups);
          expect(ok(text)).toBe(`${text}/128`);
          expect(`[${text}]`).toBe(new URL(`http://[${groups.map((g) => g.toString(16)).join(":")}]/`).hostname);
        },
      ),
    );
  });

  it("any IPv4 network with a prefix normalises to an address with zero host bits, idempotently", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 32 }),
        (octets, prefix) => {
          const input = `${octets.join(".")}/${prefix}`;
          const result = parseCidr(input);
          const canonical = result.ok ? result.cidr : result.expected;
          expect(ok(canonical)).toBe(canonical);
        },
      ),
    );
  });
});
