import { isIP } from 'node:net';

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The canonical form of an IP address, so a block list matches however a socket reports the peer:
 * IPv4 as a dotted quad (IPv4-mapped IPv6 addresses become IPv4), IPv6 compressed and lower-case.
 * `undefined` when `address` is not an IP address (zone ids are not supported).
 */
export function canonicalIp(address: string): string | undefined {
  if (typeof address !== 'string') return undefined;
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return undefined;
  const dotted = MAPPED_DOTTED.exec(address);
  if (dotted !== null && isIP(dotted[1] as string) === 4) return dotted[1];
  let compressed: string;
  try {
    compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const hex = MAPPED_HEX.exec(compressed);
  if (hex !== null) {
    const high = Number.parseInt(hex[1] as string, 16);
    const low = Number.parseInt(hex[2] as string, 16);
    return `${high >>> 8}.${high & 0xff}.${low >>> 8}.${low & 0xff}`;
  }
  return compressed;
}
