import sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { DEFAULT_DTMF_PAYLOAD_TYPE, STATIC_PAYLOAD_TYPES, type G711Codec } from './g711.js';

/** Directions as seen from our side of the call. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface NegotiatedMedia {
  payloadType: number;
  codec: G711Codec;
  ptimeMs: number;
  dtmfPayloadType: number | null;
  /** OUR direction: whether we may send (sendrecv/sendonly) and expect to receive (sendrecv/recvonly). */
  direction: MediaDirection;
  /** Where the other side asked us to send; 0.0.0.0 means "do not send" (old-style hold). */
  remote: { address: string; port: number };
}

export interface LocalMedia {
  address: string;
  port: number;
  /** o= session id; stays the same for the whole dialog. */
  sessionId: string | number;
  /** o= version; must grow with every new offer or answer in the dialog (see createSdpSession). */
  sessionVersion?: number;
  /** Our codec preference, first wins; default PCMU then PCMA. */
  preferredCodecs?: G711Codec[];
}

export type AnswerResult =
  | { ok: true; sdp: string; negotiated: NegotiatedMedia }
  | { ok: false; status: 488; reason: string };

export type ParseAnswerResult =
  | { ok: true; negotiated: NegotiatedMedia }
  | { ok: false; status: 488; reason: string };

export const DEFAULT_PTIME_MS = 20;
const MAX_PTIME_MS = 60;
const DEFAULT_CODECS: G711Codec[] = ['PCMU', 'PCMA'];

export function isHoldAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function reverseDirection(theirs: MediaDirection): MediaDirection {
  if (theirs === 'sendonly') return 'recvonly';
  if (theirs === 'recvonly') return 'sendonly';
  return theirs;
}

function withoutSend(direction: MediaDirection): MediaDirection {
  if (direction === 'sendrecv') return 'recvonly';
  if (direction === 'sendonly') return 'inactive';
  return direction;
}

/** Picks a ptime we can packetize: 10 ms frames, 10–60 ms, never above what was asked for. */
function choosePtime(requested: number | undefined, maxptime: number | undefined): number {
  let ptime = requested && requested > 0 ? requested : DEFAULT_PTIME_MS;
  if (maxptime && maxptime > 0) ptime = Math.min(ptime, maxptime);
  return Math.max(10, Math.min(MAX_PTIME_MS, Math.floor(ptime / 10) * 10));
}

interface PayloadMap {
  codecs: Map<G711Codec, number>;
  dtmfPayloadType: number | null;
}

/** Reads which payload types of an m= line mean PCMU, PCMA and telephone-event (8 kHz). */
function readPayloads(media: MediaDescription): PayloadMap {
  const offered = sdpTransform.parsePayloads(String(media.payloads ?? ''));
  const codecs = new Map<G711Codec, number>();
  let dtmfPayloadType: number | null = null;
  for (const pt of offered) {
    const rtpmap = media.rtp.find((r) => r.payload === pt);
    const name = rtpmap?.codec.toUpperCase();
    const rate = rtpmap?.rate ?? 8000;
    if (!rtpmap) {
      // Static types may omit a=rtpmap (RFC 3551).
      if (pt === 0 && !codecs.has('PCMU')) codecs.set('PCMU', 0);
      if (pt === 8 && !codecs.has('PCMA')) codecs.set('PCMA', 8);
    } else if ((name === 'PCMU' || name === 'PCMA') && rate === 8000 && !codecs.has(name)) {
      codecs.set(name, pt);
    } else if (name === 'TELEPHONE-EVENT' && rate === 8000 && dtmfPayloadType === null) {
      dtmfPayloadType = pt;
    }
  }
  return { codecs, dtmfPayloadType };
}

interface AudioSection {
  index: number;
  media: MediaDescription;
  address: string;
  theirDirection: MediaDirection;
}

function findAudio(session: SessionDescription): AudioSection | string {
  const index = session.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (index < 0) return 'no usable audio stream (no m=audio line with a non-zero port)';
  const media = session.media[index]!;
  if (!/^RTP\/AVP$/i.test(media.protocol)) {
    return `audio stream uses ${media.protocol}; only plain RTP/AVP is supported (no SRTP/DTLS)`;
  }
  const address = media.connection?.ip ?? session.connection?.ip;
  if (!address) return 'no connection address (c=) for the audio stream';
  const theirDirection = (media.direction ?? session.direction ?? 'sendrecv') as MediaDirection;
  return { index, media, address, theirDirection };
}

function parse(text: string): SessionDescription | string {
  try {
    const session = sdpTransform.parse(text);
    if (!session.media || session.media.length === 0) return 'SDP has no m= lines';
    return session;
  } catch (err) {
    return `SDP could not be parsed: ${(err as Error).message}`;
  }
}

interface WriteParams {
  local: LocalMedia;
  codecs: { codec: G711Codec; payloadType: number }[];
  dtmfPayloadType: number | null;
  ptimeMs: number;
  direction: MediaDirection;
  /** m= lines of the offer we must answer as rejected (port 0), keeping their position. */
  rejectedAround?: { media: SessionDescription['media']; audioIndex: number };
}

function writeSdp(p: WriteParams): string {
  const ipVer = p.local.address.includes(':') ? 6 : 4;
  const payloadTypes = [...p.codecs.map((c) => c.payloadType), ...(p.dtmfPayloadType !== null ? [p.dtmfPayloadType] : [])];
  const audio: MediaDescription = {
    type: 'audio',
    port: p.local.port,
    protocol: 'RTP/AVP',
    payloads: payloadTypes.join(' '),
    rtp: [
      ...p.codecs.map((c) => ({ payload: c.payloadType, codec: c.codec, rate: 8000 })),
      ...(p.dtmfPayloadType !== null ? [{ payload: p.dtmfPayloadType, codec: 'telephone-event', rate: 8000 }] : []),
    ],
    fmtp: p.dtmfPayloadType !== null ? [{ payload: p.dtmfPayloadType, config: '0-16' }] : [],
    ptime: p.ptimeMs,
    maxptime: Math.max(p.ptimeMs, MAX_PTIME_MS),
    direction: p.direction,
  };
  const media: MediaDescription[] = p.rejectedAround
    ? p.rejectedAround.media.map((m, i) => (i === p.rejectedAround!.audioIndex
      ? audio
      : { type: m.type, port: 0, protocol: m.protocol, payloads: String(m.payloads ?? '').split(' ')[0] ?? '0', rtp: [], fmtp: [] }))
    : [audio];
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: 'hookflash', sessionId: p.local.sessionId, sessionVersion: p.local.sessionVersion ?? 1,
      netType: 'IN', ipVer, address: p.local.address,
    },
    name: 'hookflash',
    connection: { version: ipVer, ip: p.local.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return sdpTransform.write(session);
}

/**
 * Answers a remote offer (RFC 3264): first codec of OUR preference the offer contains, the
 * offer's telephone-event type, the ptime the phone asks for (SPA303: 30 ms), and the mirrored
 * direction. Returns a 488 value, not an exception, when nothing fits.
 */
export function createAnswer(remoteSdpText: string, local: LocalMedia): AnswerResult {
  const session = parse(remoteSdpText);
  if (typeof session === 'string') return { ok: false, status: 488, reason: session };
  const audio = findAudio(session);
  if (typeof audio === 'string') return { ok: false, status: 488, reason: audio };
  const { codecs, dtmfPayloadType } = readPayloads(audio.media);
  const preferred = local.preferredCodecs ?? DEFAULT_CODECS;
  const codec = preferred.find((c) => codecs.has(c));
  if (!codec) {
    const theirs = audio.media.rtp.map((r) => r.codec).join(', ') || String(audio.media.payloads ?? '');
    return { ok: false, status: 488, reason: `no common codec: offer has ${theirs || 'none'}, we support ${preferred.join(', ')}` };
  }
  const payloadType = codecs.get(codec)!;
  const ptimeMs = choosePtime(audio.media.ptime, audio.media.maxptime);
  let direction = reverseDirection(audio.theirDirection);
  if (isHoldAddress(audio.address)) direction = withoutSend(direction);
  const sdp = writeSdp({
    local, codecs: [{ codec, payloadType }], dtmfPayloadType, ptimeMs, direction,
    rejectedAround: { media: session.media, audioIndex: audio.index },
  });
  return {
    ok: true,
    sdp,
    negotiated: { payloadType, codec, ptimeMs, dtmfPayloadType, direction, remote: { address: audio.address, port: audio.media.port } },
  };
}

export interface OfferOptions {
  direction?: MediaDirection;
  ptimeMs?: number;
  dtmfPayloadType?: number;
}

/** Our offer (queue agent legs, re-INVITE for hold/resume): all our codecs plus telephone-event. */
export function createOffer(local: LocalMedia, opts: OfferOptions = {}): string {
  const preferred = local.preferredCodecs ?? DEFAULT_CODECS;
  return writeSdp({
    local,
    codecs: preferred.map((codec) => ({ codec, payloadType: STATIC_PAYLOAD_TYPES[codec] })),
    dtmfPayloadType: opts.dtmfPayloadType ?? DEFAULT_DTMF_PAYLOAD_TYPE,
    ptimeMs: opts.ptimeMs ?? DEFAULT_PTIME_MS,
    direction: opts.direction ?? 'sendrecv',
  });
}

/**
 * Reads the answer to an offer we sent. The answerer may choose any codec we offered; we honour
 * its choice (its first listed one) rather than re-ranking, as RFC 3264 §6.1 intends.
 */
export function parseAnswer(answerSdpText: string, offered: { preferredCodecs?: G711Codec[]; ptimeMs?: number; direction?: MediaDirection } = {}): ParseAnswerResult {
  const session = parse(answerSdpText);
  if (typeof session === 'string') return { ok: false, status: 488, reason: session };
  const audio = findAudio(session);
  if (typeof audio === 'string') return { ok: false, status: 488, reason: audio };
  const { codecs, dtmfPayloadType } = readPayloads(audio.media);
  const allowed = offered.preferredCodecs ?? DEFAULT_CODECS;
  const inAnswerOrder = sdpTransform.parsePayloads(String(audio.media.payloads ?? ''));
  const codec = [...codecs.entries()]
    .filter(([c]) => allowed.includes(c))
    .sort((a, b) => inAnswerOrder.indexOf(a[1]) - inAnswerOrder.indexOf(b[1]))[0]?.[0];
  if (!codec) return { ok: false, status: 488, reason: `answer has no codec we offered (${allowed.join(', ')})` };
  let direction = reverseDirection(audio.theirDirection);
  const ours = offered.direction ?? 'sendrecv';
  // The answer can only narrow what we offered.
  const canSend = (direction === 'sendrecv' || direction === 'sendonly') && (ours === 'sendrecv' || ours === 'sendonly');
  const canReceive = (direction === 'sendrecv' || direction === 'recvonly') && (ours === 'sendrecv' || ours === 'recvonly');
  direction = canSend && canReceive ? 'sendrecv' : canSend ? 'sendonly' : canReceive ? 'recvonly' : 'inactive';
  if (isHoldAddress(audio.address)) direction = withoutSend(direction);
  return {
    ok: true,
    negotiated: {
      payloadType: codecs.get(codec)!,
      codec,
      ptimeMs: choosePtime(audio.media.ptime ?? offered.ptimeMs, audio.media.maxptime),
      dtmfPayloadType,
      direction,
      remote: { address: audio.address, port: audio.media.port },
    },
  };
}

/**
 * One dialog's SDP state: keeps the o= session id and bumps the version on every SDP we
 * produce, so re-INVITEs (hold, resume) carry a higher version as RFC 3264 §8 requires.
 */
export function createSdpSession(local: Omit<LocalMedia, 'sessionVersion'>) {
  let version = 0;
  const next = (): LocalMedia => ({ ...local, sessionVersion: ++version });
  return {
    answer: (remoteSdpText: string): AnswerResult => createAnswer(remoteSdpText, next()),
    offer: (opts?: OfferOptions): string => createOffer(next(), opts),
    parseAnswer: (text: string, opts?: Parameters<typeof parseAnswer>[1]) => parseAnswer(text, { preferredCodecs: local.preferredCodecs, ...opts }),
    get version(): number { return version; },
  };
}
