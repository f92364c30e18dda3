import { BlockList, isIP } from 'node:net';
import { describeValue } from '../internal/describe-value.js';
import { canonicalIp } from './ip-address.js';

/** A parsed network in CIDR notation: its canonical text (`10.0.0.0/8`, `fd00::/8`) and its parts. */
export interface IpNet {
  /** `address/prefix`, the address canonical (IPv4-mapped IPv6 as IPv4). */
  readonly text: string;
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Reads a network in CIDR notation (`127.0.0.0/8`, `::1/128`; a bare address is its own /32 or /128).
 *
 * @throws TypeError when `cidr` is not an IPv4 or IPv6 network, naming what is wrong.
 */
export function parseIpNet(cidr: string): IpNet {
  if (typeof cidr !== 'string') {
    throw new TypeError(
      `Expected \`net\` to be a network in CIDR notation (e.g. 10.0.0.0/8), got ${describeValue(cidr)}`,
    );
  }
  const slash = cidr.lastIndexOf('/');
  const rawAddress = slash === -1 ? cidr : cidr.slice(0, slash);
  const address = canonicalIp(rawAddress);
  if (address === undefined) {
    throw new TypeError(
      `Expected \`net\` to be a network in CIDR notation (e.g. 10.0.0.0/8), got ${describeValue(cidr)}`,
    );
  }
  const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  const rawPrefix = slash === -1 ? String(max) : cidr.slice(slash + 1);
  const prefix = Number(rawPrefix);
  if (!/^\d{1,3}$/.test(rawPrefix) || prefix > max) {
    throw new TypeError(
      `Expected the prefix length of \`net\` to be an integer from 0 to ${max}, got ${describeValue(cidr)}`,
    );
  }
  return { text: `${address}/${prefix}`, address, prefix, family };
}

/** A set of networks that answers whether an address lies in one of them. */
export class IpNetSet {
  readonly #nets = new Map<string, IpNet>();
  #list: BlockList | undefined;

  /** How many networks it holds. */
  get size(): number {
    return this.#nets.size;
  }

  /** Adds `net`; false when it was there already. */
  add(net: IpNet): boolean {
    if (this.#nets.has(net.text)) return false;
    this.#nets.set(net.text, net);
    this.#list = undefined;
    return true;
  }

  /** Removes `net`; false when it was not there. */
  delete(net: IpNet): boolean {
    if (!this.#nets.delete(net.text)) return false;
    this.#list = undefined;
    return true;
  }

  /** Whether the canonical address `ip` lies in one of the networks. */
  has(ip: string): boolean {
    if (this.#nets.size === 0) return false;
    // node's BlockList cannot remove a subnet: rebuilt (rarely) after a change.
    let list = this.#list;
    if (list === undefined) {
      list = new BlockList();
      for (const net of this.#nets.values()) list.addSubnet(net.address, net.prefix, net.family);
      this.#list = list;
    }
    return list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
  }
}
