import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import net from "node:net";

/**
 * Addresses a webhook may not reach unless an admin allows it for the endpoint: this host and
 * the networks behind it (RFC 1918, CGNAT, link-local, unique-local), the unspecified, broadcast,
 * multicast and reserved ranges. A webhook URL is typed by a lead; without this, Quorum would be
 * a way into the network it runs in. IPv4-mapped IPv6 addresses are checked as IPv4.
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
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return false;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
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
  const refused = addresses.find((entry) => isPrivateAddress(entry.address));
  return refused ? `resolves to a private or local address (${refused.address})` : null;
}
