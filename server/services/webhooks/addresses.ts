import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import net from "node:net";

/**
 * Addresses a webhook may not reach unless an admin allows it for the endpoint: this host and
 * the networks behind it (RFC 1918, CGNAT, link-local, unique-local), the unspecified, broadcast,
 * multicast and reserved ranges. A webhook URL is typed by a lead; without this, Quorum would be
 * a way into the network it runs in. IPv6 addresses that carry an IPv4 address (mapped,
 * compatible, NAT64's well-known prefix, 6to4) are checked as that IPv4 address, since a
 * gateway on the way may deliver them to it.
 */
const blocked = new net.BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  // NAT64 for local use (RFC 8215): whichever IPv4 network it translates to is the operator's.
  ["64:ff9b:1::", 48],
  ["fc00::", 7],
  ["fe80::", 10],
  // Site-local: deprecated, but still routed inside the networks that kept it.
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  if (family === 4) return blocked.check(address, "ipv4");
  if (blocked.check(address, "ipv6")) return true;
  const embedded = embeddedIpv4(address);
  return embedded !== null && blocked.check(embedded, "ipv4");
}

/** The 16 bytes of a valid IPv6 address (a zone index, `%eth0`, is left out). */
function ipv6Bytes(address: string): number[] {
  let text = address.split("%")[0]!;
  const groups: number[] = [];
  const dotted = text.slice(text.lastIndexOf(":") + 1);
  const tail: number[] = [];
  if (net.isIPv4(dotted)) {
    const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, text.length - dotted.length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part
      ? part
          .split(":")
          .filter(Boolean)
          .map((group) => parseInt(group, 16))
      : [];
  const left = parse(head);
  const right = [...parse(rest), ...tail];
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  groups.push(...left, ...Array<number>(zeros).fill(0), ...right);
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/**
 * The IPv4 address an IPv6 one carries, or null: IPv4-compatible (`::a.b.c.d`), IPv4-translated
 * (`::ffff:0:a.b.c.d`, RFC 2765, which stateless translators turn into the IPv4 address), NAT64's
 * well-known prefix (`64:ff9b::/96`, RFC 6052) and 6to4 (`2002:AABB:CCDD::/48`, RFC 3056).
 * IPv4-mapped addresses (`::ffff:a.b.c.d`) the block list already checks as IPv4.
 */
function embeddedIpv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const zeroUpTo = (end: number, from = 0) => bytes.slice(from, end).every((byte) => byte === 0);
  const dotted = (from: number) => bytes.slice(from, from + 4).join(".");
  if (zeroUpTo(12)) return dotted(12);
  if (zeroUpTo(8) && bytes[8] === 0xff && bytes[9] === 0xff && bytes[10] === 0 && bytes[11] === 0) {
    return dotted(12);
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    return zeroUpTo(12, 4) ? dotted(12) : null;
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return dotted(2);
  return null;
}

export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} is a private or local address (${address}); an admin may allow it`);
    this.name = "PrivateAddressError";
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses private addresses, so that the address checked is
 * the address connected to (a name that resolves to a public address when the endpoint is saved
 * and to a private one when it is called gets no further).
 */
export function publicOnlyLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
    if (error) {
      callback(error, []);
      return;
    }
    const refused = addresses.find((entry) => isPrivateAddress(entry.address));
    if (refused) {
      callback(new PrivateAddressError(hostname, refused.address), []);
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * Why a URL cannot be a webhook endpoint, or null: it must be http(s), and unless private
 * addresses are allowed its host must not be, or resolve to, one.
 */
export async function webhookUrlProblem(
  url: string,
  allowPrivateAddresses: boolean,
): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return "must be an http:// or https:// URL";
  }
  if (allowPrivateAddresses) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) {
    return isPrivateAddress(host) ? `points at a private or local address (${host})` : null;
  }
  const addresses = await new Promise<LookupAddress[] | null>((resolve) =>
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? null : found)),
  );
  if (!addresses || addresses.length === 0) return `names a host that does not resolve (${host})`;
  // The address a name resolved to stays unsaid: it would map the network's internal names.
  return addresses.some((entry) => isPrivateAddress(entry.address))
    ? "resolves to a private or local address"
    : null;
}
