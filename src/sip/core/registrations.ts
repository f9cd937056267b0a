/**
 * TCP phones can only be reached over the connection they registered on (their Contact
 * port is not listening). After a 2xx to a REGISTER/SUBSCRIBE that came over TCP, later
 * requests to that `user@host` reuse the connection (protocol notes §4.2).
 */
import { getHeaderValues, parseNameAddr, parseUri } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { InboundInfo } from '../transport/types.js';
import type { CoreContext } from './context.js';
import { flowKey } from './destinations.js';

export function rememberTcpFlow(ctx: CoreContext, request: SipRequest, res: SipResponse, info: InboundInfo): void {
  if (info.protocol !== 'tcp' || !info.connectionId) return;
  if (res.status < 200 || res.status >= 300) return;
  if (request.method !== 'REGISTER' && request.method !== 'SUBSCRIBE') return;
  const contacts = request.method === 'REGISTER' ? getHeaderValues(res, 'Contact') : getHeaderValues(request, 'Contact');
  for (const contact of contacts) {
    const uri = parseUri(parseNameAddr(contact)?.uri ?? '');
    if (!uri || uri.scheme === 'tel') continue;
    const key = flowKey(uri.user, uri.host);
    ctx.registeredFlows.set(key, { connectionId: info.connectionId, address: info.source.address, port: info.source.port });
    ctx.transport.aliasConnection(key, info.connectionId);
  }
}

export function forgetTcpFlows(ctx: CoreContext, connectionId: string): void {
  for (const [key, flow] of ctx.registeredFlows) {
    if (flow.connectionId === connectionId) ctx.registeredFlows.delete(key);
  }
}
