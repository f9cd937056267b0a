/**
 * Building dialogs from the messages that create them (RFC 3261 §12.1), including the NAT
 * rules of drachtio (§4.4 of our protocol notes): a far end whose Contact is not where its
 * packets come from is reached at the packet source.
 */
import { randomInt } from 'node:crypto';
import { formatNameAddr, getHeader, getHeaderValues, getTag, parseNameAddr, parseUri } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { InboundInfo } from '../transport/types.js';
import { makeDialogId, type Dialog, type DialogFlow, type DialogUsage } from './types.js';

/** The URI inside the first Contact value, or null. */
export function contactUri(msg: { headers: SipRequest['headers'] }): string | null {
  const first = getHeaderValues(msg, 'Contact')[0];
  if (first === undefined) return null;
  return parseNameAddr(first)?.uri ?? null;
}

/** Adds (or replaces) the tag parameter on a From/To value. */
export function withTag(partyValue: string, tag: string): string {
  const parsed = parseNameAddr(partyValue);
  if (!parsed) return `${partyValue};tag=${tag}`;
  return formatNameAddr({ ...parsed, params: { ...parsed.params, tag } });
}

function flowOf(info: InboundInfo): DialogFlow {
  return {
    protocol: info.protocol,
    address: info.source.address,
    port: info.source.port,
    connectionId: info.connectionId,
    localAddress: info.local.address,
  };
}

/** True when the URI's host:port is not where the packets came from. */
function differsFromSource(uri: string | null, flow: DialogFlow, comparePort: boolean): boolean {
  const parsed = uri ? parseUri(uri) : null;
  if (!parsed) return true;
  if (parsed.host !== flow.address) return true;
  return comparePort && (parsed.port ?? 5060) !== flow.port;
}

function initialLocalCSeq(): number {
  // Random start (RFC 3261 §8.1.1.5 suggests < 2^31); small enough to leave room for growth.
  return randomInt(1, 1 << 16);
}

export interface UasDialogInput {
  request: SipRequest;
  info: InboundInfo;
  usage: DialogUsage;
  localTag: string;
  localContact: string;
  appId: string;
}

export function createUasDialog(input: UasDialogInput): Dialog {
  const { request, info } = input;
  const callId = getHeader(request, 'Call-ID') ?? '';
  const from = getHeader(request, 'From') ?? '';
  const remoteTag = getTag(from) ?? '';
  const routeSet = getHeaderValues(request, 'Record-Route');
  const flow = flowOf(info);
  const target = contactUri(request);
  const cseq = Number.parseInt(getHeader(request, 'CSeq') ?? '', 10);
  return {
    id: makeDialogId(callId, remoteTag),
    role: 'uas',
    usage: input.usage,
    state: 'early',
    appId: input.appId,
    callId,
    localTag: input.localTag,
    remoteTag,
    localParty: withTag(getHeader(request, 'To') ?? '', input.localTag),
    remoteParty: from,
    localCSeq: initialLocalCSeq(),
    remoteCSeq: Number.isFinite(cseq) ? cseq : null,
    remoteTarget: target ?? parseNameAddr(from)?.uri ?? '',
    routeSet,
    localContact: input.localContact,
    flow,
    sendToFlow: routeSet.length === 0 && flow.protocol === 'udp' && differsFromSource(target, flow, true),
    inviteInProgress: null,
    localSdp: null,
  };
}

export interface UacDialogInput {
  /** The request as sent (with our From tag). */
  request: SipRequest;
  usage: DialogUsage;
  appId: string;
  /** Where the request went; replaced by the response source once one arrives. */
  flow: DialogFlow;
}

/**
 * A UAC leg exists from the moment the INVITE/SUBSCRIBE leaves, with no remote tag yet:
 * a NOTIFY may beat the SUBSCRIBE's 2xx, and the app already holds the dialog id.
 */
export function createUacDialog(input: UacDialogInput): Dialog {
  const callId = getHeader(input.request, 'Call-ID') ?? '';
  const localTag = getTag(getHeader(input.request, 'From') ?? '') ?? '';
  return {
    id: makeDialogId(callId, localTag),
    role: 'uac',
    usage: input.usage,
    state: 'early',
    appId: input.appId,
    callId,
    localTag,
    remoteTag: '',
    localParty: getHeader(input.request, 'From') ?? '',
    remoteParty: getHeader(input.request, 'To') ?? '',
    localCSeq: Number.parseInt(getHeader(input.request, 'CSeq') ?? '1', 10) || 1,
    remoteCSeq: null,
    remoteTarget: input.request.uri,
    routeSet: [],
    localContact: getHeaderValues(input.request, 'Contact')[0] ?? '',
    flow: input.flow,
    sendToFlow: false,
    inviteInProgress: 'outgoing',
    localSdp: null,
  };
}

/**
 * A UAC dialog takes remote tag, target and route set from the response that creates it,
 * and the target again from each later 2xx (a re-INVITE's 2xx may move the far end).
 */
export function updateUacDialogFromResponse(dialog: Dialog, response: SipResponse, info: InboundInfo): void {
  const to = getHeader(response, 'To') ?? '';
  const tag = getTag(to);
  if (tag === null) return;
  dialog.remoteParty = to;
  dialog.remoteTag = tag;
  const target = contactUri(response);
  if (target) dialog.remoteTarget = target;
  if (dialog.state === 'early') {
    // The route set is fixed by the response that establishes the dialog (RFC 3261 §12.1.2).
    dialog.routeSet = getHeaderValues(response, 'Record-Route').reverse();
    dialog.flow = flowOf(info);
  }
  dialog.sendToFlow = dialog.routeSet.length === 0 && dialog.flow.protocol === 'udp' &&
    differsFromSource(target, dialog.flow, false);
}
