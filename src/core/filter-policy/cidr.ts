/**
 * IP addresses and CIDR blocks for the `cidr` operator. Addresses are turned into integers once
 * (IPv4 as a number, IPv6 as a bigint) so a match is two comparisons.
 */
import { fail } from "./errors.js";
import type { ValueTest } from "./types.js";

export type IpAddress = { readonly v: 4; readonly n: number } | { readonly v: 6; readonly n: bigint };

function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (part.length === 0 || part.length > 3) return undefined;
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
    }
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

function parseHexGroup(group: string): number | undefined {
  if (group.length === 0 || group.length > 4) return undefined;
  let n = 0;
  for (let i = 0; i < group.length; i++) {
    const d = parseInt(group[i], 16);
    if (Number.isNaN(d)) return undefined;
    n = n * 16 + d;
  }
  return n;
}

/** Groups of one side of "::"; an embedded IPv4 tail is allowed only where `allowV4Tail`. */
function parseGroups(side: string, allowV4Tail: boolean): number[] | undefined {
  if (side === "") return [];
  const raw = side.split(":");
  const groups: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const part = raw[i];
    if (allowV4Tail && i === raw.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    const g = parseHexGroup(part);
    if (g === undefined) return undefined;
    groups.push(g);
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  // Zone ids ("fe80::1%eth0") name an interface, not an address; AWS's parser refuses them too.
  if (text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0], false);
    const tail = parseGroups(halves[1], true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;
const LOW_32 = (1n << 32n) - 1n;

/**
 * Parses an IPv4 or IPv6 literal. IPv4-mapped IPv6 (::ffff:a.b.c.d) comes back as IPv4, as
 * Java's InetAddress (which AWS uses) does, so it matches IPv4 blocks.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const n = parseIpv6(text);
    if (n === undefined) return undefined;
    if (n >> 32n === V4_MAPPED_PREFIX >> 32n) return { v: 4, n: Number(n & LOW_32) };
    return { v: 6, n };
  }
  const n = parseIpv4(text);
  return n === undefined ? undefined : { v: 4, n };
}

// Java's Integer.parseInt: optional sign, decimal digits, fits in an int.
const MASK_TEXT = /^[+-]?\d{1,10}$/;

/**
 * Compiles `{"cidr": "..."}`. Reasons and limits are those of AWS's rule engine, including two
 * quirks kept on purpose: a /32 (IPv4) or /128 (IPv6) is refused ("mask bits must be < 32"), and
 * the block starts at the address as written, not at the network address (10.0.0.5/24 covers
 * 10.0.0.5 to 10.0.0.255).
 */
export function compileCidr(cidr: string): ValueTest {
  const parts = cidr.split("/");
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [ipText, maskText] = parts;
  const mask = MASK_TEXT.test(maskText) ? Number(maskText) : Number.NaN;
  if (!Number.isInteger(mask) || mask > 2147483647 || mask < -2147483648) {
    fail("Malformed CIDR, mask bits must be an integer");
  }
  if (mask < 0) fail("Malformed CIDR, mask bits must not be negative");
  const ip = parseIp(ipText);
  if (!ip) fail(`Nonstandard IP address: ${ipText}`);

  if (ip.v === 4) {
    if (mask > 31) fail("IPv4 mask bits must be < 32");
    const size = 2 ** (32 - mask);
    const low = ip.n;
    const high = low - (low % size) + size - 1;
    return (value) => {
      if (typeof value !== "string") return false;
      const addr = parseIp(value);
      return addr !== undefined && addr.v === 4 && addr.n >= low && addr.n <= high;
    };
  }
  if (mask > 127) fail("IPv6 mask bits must be < 128");
  const hostBits = (1n << BigInt(128 - mask)) - 1n;
  const low = ip.n;
  const high = low | hostBits;
  return (value) => {
    if (typeof value !== "string") return false;
    const addr = parseIp(value);
    return addr !== undefined && addr.v === 6 && addr.n >= low && addr.n <= high;
  };
}

/**
 * AWS's engine stores an exact-match string that is an IP literal as a one-address range, so
 * "2001:db8::1" in a policy also matches "2001:0db8:0:0:0:0:0:1" in a message. Returns undefined
 * for strings that are not IP literals, which then match by plain equality only.
 */
export function compileExactIp(text: string): ValueTest | undefined {
  const ip = parseIp(text);
  if (!ip) return undefined;
  return (value) => {
    if (typeof value !== "string") return false;
    if (value === text) return true;
    const addr = parseIp(value);
    return addr !== undefined && addr.v === ip.v && addr.n === ip.n;
  };
}
