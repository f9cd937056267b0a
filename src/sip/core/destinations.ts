/**
 * Turning URIs into transport destinations: `;transport=` picks the protocol, IP
 * literals are used as they are, names go through the resolver (A/AAAA via
 * dns.lookup; SRV/NAPTR are not done yet), and a user registered over TCP is reached
 * over the connection it registered on (protocol notes §4.2).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseUri } from '../message/index.js';
import { dialogNextHopUri } from '../dialog/request.js';
import type { Dialog } from '../dialog/types.js';
import type { Destination, SipProtocol } from '../transport/types.js';
import type { CoreContext } from './context.js';

export type DestinationResult = { ok: true; dest: Destination } | { ok: false; error: string };

const DEFAULT_PORT = 5060;

export function flowKey(user: string | null, host: string): string {
  return `${user ?? ''}@${host.toLowerCase()}`;
}

export async function resolveUri(ctx: CoreContext, uriText: string): Promise<DestinationResult> {
  const uri = parseUri(uriText);
  if (!uri || uri.scheme === 'tel') return { ok: false, error: `invalid or unroutable request uri ${uriText}` };
  if (uri.scheme === 'sips') return { ok: false, error: 'requested protocol/transport not available' };
  const wanted = (uri.params['transport'] ?? 'udp').toLowerCase();
  if (wanted !== 'udp' && wanted !== 'tcp') return { ok: false, error: 'requested protocol/transport not available' };
  const protocol = wanted as SipProtocol;
  if (!ctx.transport.listeners().some((l) => l.protocol === protocol)) {
    return { ok: false, error: 'requested protocol/transport not available' };
  }
  const registered = ctx.registeredFlows.get(flowKey(uri.user, uri.host));
  if (registered && ctx.transport.hasConnection(registered.connectionId)) {
    return { ok: true, dest: { protocol: 'tcp', address: registered.address, port: registered.port,
      connectionId: registered.connectionId } };
  }
  let address = uri.host;
  if (isIP(address) === 0) {
    try {
      address = (await lookup(uri.host)).address;
    } catch (err) {
      return { ok: false, error: `cannot resolve ${uri.host}: ${(err as Error).message}` };
    }
  }
  return { ok: true, dest: { protocol, address, port: uri.port ?? DEFAULT_PORT } };
}

/** Next hop for an in-dialog request, with the NAT rule and TCP connection reuse applied. */
export async function dialogDestination(ctx: CoreContext, dialog: Dialog, requestUri: string): Promise<DestinationResult> {
  const { flow } = dialog;
  if (dialog.sendToFlow) {
    return { ok: true, dest: { protocol: flow.protocol, address: flow.address, port: flow.port,
      connectionId: flow.connectionId, localAddress: flow.localAddress } };
  }
  const result = await resolveUri(ctx, dialogNextHopUri(dialog, requestUri));
  if (result.ok && result.dest.protocol === 'tcp' && flow.protocol === 'tcp' && !result.dest.connectionId) {
    result.dest.connectionId = flow.connectionId;
  }
  return result;
}
