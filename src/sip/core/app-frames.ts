/** Frames the core sends to apps, built from what the transport saw or sent. */
import type { AppConnection } from '../control/types.js';
import { sipFrame, type WireMeta } from '../control/wire.js';
import type { Destination, InboundInfo } from '../transport/types.js';

export function metaFromInfo(info: InboundInfo): WireMeta {
  return { protocol: info.protocol, address: info.source.address, port: info.source.port, bytes: info.raw.length };
}

export function metaFromDest(dest: Destination, bytes: number): WireMeta {
  return { protocol: dest.protocol, address: dest.address, port: dest.port, bytes };
}

/** A request or response that came from the network, as received. */
export function forwardFromNetwork(
  app: AppConnection, info: InboundInfo, txnId: string, dialogId: string, withReceivedOn: boolean,
): void {
  app.send(sipFrame({
    source: 'network',
    meta: metaFromInfo(info),
    txnId,
    dialogId,
    receivedOn: withReceivedOn ? info.local : undefined,
  }, info.raw.toString('utf8')));
}

/** A request the server itself sent in a dialog the app owns (BYE on ACK timeout…). */
export function sendUnsolicited(app: AppConnection, dest: Destination, dialogId: string, wire: Buffer): void {
  app.send(sipFrame({
    source: 'application',
    meta: metaFromDest(dest, wire.length),
    txnId: 'unsolicited',
    dialogId,
  }, wire.toString('utf8')));
}
