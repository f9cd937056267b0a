/**
 * A SIP dialog as the server keeps it (RFC 3261 §12) — one leg, seen from our side.
 * The server, not the app, owns CSeq, tags, route set and remote target; apps address a
 * dialog only by its id (`<Call-ID>;from-tag=<tag of the creating request's From>`).
 */
import type { SipProtocol } from '../transport/types.js';

export type DialogRole = 'uac' | 'uas';
export type DialogUsage = 'invite' | 'subscribe';
export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Where the far end's packets really came from (NAT rules, TCP connection reuse). */
export interface DialogFlow {
  protocol: SipProtocol;
  address: string;
  port: number;
  connectionId?: string;
  localAddress?: string;
}

export interface Dialog {
  readonly id: string;
  readonly role: DialogRole;
  readonly usage: DialogUsage;
  state: DialogState;
  /** Control connection of the app that owns this leg. */
  appId: string;
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  /** From value for our requests (name-addr with our tag). */
  localParty: string;
  /** To value for our requests (name-addr with their tag). */
  remoteParty: string;
  localCSeq: number;
  remoteCSeq: number | null;
  remoteTarget: string;
  /** Route header values for our requests, in order (RFC 3261 §12.1). */
  routeSet: string[];
  localContact: string;
  flow: DialogFlow;
  /** NAT rule (§4.4): send to the flow address instead of resolving the route/target. */
  sendToFlow: boolean;
  /** An INVITE transaction in progress on this dialog (for 491 on overlap). */
  inviteInProgress: 'incoming' | 'outgoing' | null;
  /** Local SDP last sent in a 2xx (kept for future session refreshes). */
  localSdp: string | null;
}

export function makeDialogId(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`;
}
