/**
 * Address helpers: family detection, IPv4-mapped normalisation, and where responses go
 * (RFC 3261 §18.2.2 with RFC 3581 symmetric response routing).
 */
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SipMessage, Via } from '../message/types.js';
import type { Destination, InboundInfo } from './types.js';
import { parseTopVia } from './via.js';

export const DEFAULT_SIP_PORT = 5060;

export type Family = 4 | 6;

export function familyOf(address: string): Family {
  return isIPv6(address) ? 6 : 4;
}

/** '::ffff:1.2.3.4' → '1.2.3.4' so IPv4 peers look the same on dual-stack sockets. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === 'localhost';
}

export function loopbackOf(family: Family): string {
  return family === 6 ? '::1' : '127.0.0.1';
}

const interfaceCache = new Map<Family, string | null>();

/** First non-internal interface address of a family (cached: interfaces rarely change under us). */
export function firstInterfaceAddress(family: Family): string | null {
  if (interfaceCache.has(family)) return interfaceCache.get(family)!;
  let found: string | null = null;
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      const niFamily = ni.family === 'IPv6' || (ni.family as unknown) === 6 ? 6 : 4;
      if (!ni.internal && niFamily === family && !ni.address.startsWith('fe80')) {
        found = ni.address;
        break;
      }
    }
    if (found) break;
  }
  interfaceCache.set(family, found);
  return found;
}

function numericPort(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
}

/**
 * Where to send a response to a request that arrived with `info` (RFC 3261 §18.2.2, RFC 3581).
 * TCP: the same connection while it is open (else a new one to received/sent-by port).
 * UDP: the `received` address (else sent-by host) and the `rport` port (else sent-by port) —
 * for requests stamped by this transport that is the packet source, so phones behind NAT are
 * answered where they really are.
 */
export function responseDestination(viaOrResponse: Via | SipMessage, info: InboundInfo): Destination {
  const via = 'kind' in viaOrResponse ? parseTopVia(viaOrResponse) : viaOrResponse;
  if (!via) {
    return { protocol: info.protocol, address: info.source.address, port: info.source.port,
      connectionId: info.connectionId, localAddress: info.local.address };
  }
  // Accept the bracketed IPv6 form some stacks write, though RFC 3261 wants it bare.
  const received = via.params.received ? via.params.received.replace(/^\[(.*)\]$/, '$1') : null;
  if (info.protocol === 'tcp') {
    return {
      protocol: 'tcp',
      address: received ?? via.host,
      port: via.port ?? DEFAULT_SIP_PORT,
      connectionId: info.connectionId,
    };
  }
  return {
    protocol: 'udp',
    address: received ?? via.host,
    port: numericPort(via.params.rport) ?? via.port ?? DEFAULT_SIP_PORT,
    localAddress: info.local.address,
  };
}
