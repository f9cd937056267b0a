/**
 * Requests inside a dialog (RFC 3261 §12.2.1.1): the dialog, not the app, decides
 * Request-URI, From, To, Call-ID, CSeq and Route; the app contributes method, extra
 * headers and body.
 */
import { parseNameAddr, parseUri } from '../message/index.js';
import type { SipHeader, SipRequest } from '../message/types.js';
import type { Dialog } from './types.js';

/** Headers the dialog owns; app copies are dropped. */
const DIALOG_OWNED = new Set(['from', 'f', 'to', 't', 'call-id', 'i', 'cseq', 'route']);

export interface InDialogRequestInput {
  method: string;
  /** The app's Request-URI; `sip:placeholder` (srf's default) means "the remote target". */
  appUri: string;
  headers: SipHeader[];
  body: Buffer;
  /** CSeq number to use instead of the next local one (ACK and CANCEL reuse the INVITE's). */
  cseq?: number;
}

export function buildInDialogRequest(dialog: Dialog, input: InDialogRequestInput): SipRequest {
  const useTarget = input.method === 'ACK' || input.appUri.includes('placeholder') || parseUri(input.appUri) === null;
  let cseq = input.cseq;
  if (cseq === undefined) {
    dialog.localCSeq += 1;
    cseq = dialog.localCSeq;
  }
  const headers: SipHeader[] = [
    { name: 'From', value: dialog.localParty },
    { name: 'To', value: dialog.remoteParty },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${cseq} ${input.method}` },
    ...dialog.routeSet.map((value) => ({ name: 'Route', value })),
  ];
  if (!input.headers.some((h) => h.name.toLowerCase() === 'max-forwards')) {
    headers.push({ name: 'Max-Forwards', value: '70' });
  }
  for (const header of input.headers) {
    if (!DIALOG_OWNED.has(header.name.toLowerCase())) headers.push(header);
  }
  return {
    kind: 'request',
    method: input.method,
    uri: useTarget ? dialog.remoteTarget : input.appUri,
    headers,
    body: input.body,
  };
}

/** Where an in-dialog request goes before DNS: the first route if any, else the remote target. */
export function dialogNextHopUri(dialog: Dialog, requestUri: string): string {
  const firstRoute = dialog.routeSet[0];
  if (firstRoute !== undefined) return parseNameAddr(firstRoute)?.uri ?? requestUri;
  return requestUri;
}
