/**
 * Answering a call with the PBX's own media (voicemail, queues): an RTP endpoint from the media
 * engine on one side of a SIP dialog the switchboard holds with no partner. A new INVITE is
 * answered with our SDP; an already answered leg (blind transfer) is detached from its partner
 * and re-INVITEd with our offer. The endpoint is closed whenever the leg ends — BYE either way,
 * the PBX releasing it, RTP timeout, socket errors — so no port outlives its call.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from '../../log.js';
import { createSdpSession, type MediaEndpoint, type MediaEngine } from '../../media/index.js';
import type { Arrival } from './destinations.js';
import type { CallSrf, SrfDialog } from './srf-call-types.js';
import type { Leg, Switchboard } from './switchboard.js';

export interface MediaLegDeps {
  srf: Pick<CallSrf, 'createUAS'>;
  engine: MediaEngine;
  switchboard: Switchboard;
  logger: Logger;
  /** Who is on the far side (caller number), for the switchboard and logs. */
  party: string;
  callRecordId: number | undefined;
}

export type MediaLegResult =
  | { kind: 'up'; leg: Leg; endpoint: MediaEndpoint }
  | { kind: 'refused'; status: number; reason: string };

type SdpSession = ReturnType<typeof createSdpSession>;

/** Opens an endpoint; a full port range is a 503 for this call, not a crash. */
async function openEndpoint(engine: MediaEngine, log: Logger): Promise<MediaEndpoint | { status: number; reason: string }> {
  try {
    return await engine.openEndpoint();
  } catch (err) {
    log.error({ err: (err as Error).message }, 'media: no RTP endpoint for the call');
    return { status: 503, reason: `no media port: ${(err as Error).message}` };
  }
}

/** Ties endpoint and leg together: either ending ends the other. */
function bind(leg: Leg, endpoint: MediaEndpoint, session: SdpSession, deps: MediaLegDeps, log: Logger): void {
  leg.media = {
    answer(offer) {
      const answer = session.answer(offer);
      if (!answer.ok) {
        log.info({ reason: answer.reason }, 're-INVITE on a media leg refused');
        return { ok: false, status: answer.status };
      }
      if (!endpoint.closed) endpoint.setRemote(answer.negotiated);
      return { ok: true, sdp: answer.sdp };
    },
    close() {
      if (!endpoint.closed) void endpoint.close();
    },
  };
  // SIP INFO DTMF (application/dtmf-relay, SPA "DTMF_Tx_Method INFO"): reported like RFC 4733 digits.
  (leg.dialog as unknown as { on(e: 'info', l: (req: { body?: string; get(n: string): string | undefined }, res: { send(s: number): void }) => void): void })
    .on('info', (req, res) => {
      const digit = dtmfOfInfo(req.get('Content-Type'), req.body);
      if (digit !== undefined && !endpoint.closed) endpoint.injectDtmf(digit);
      res.send(digit === undefined && req.body ? 415 : 200);
    });
  endpoint.on('rtp-timeout', () => {
    log.info(`no RTP from ${leg.party} for a while; hanging up`);
    if (!leg.gone) deps.switchboard.release(leg);
  });
  endpoint.once('close', () => {
    if (!leg.gone) deps.switchboard.release(leg);
  });
}

export async function answerWithMedia(arrival: Arrival, deps: MediaLegDeps): Promise<MediaLegResult> {
  const log = deps.logger.child({ media: deps.party });
  if (arrival.kind === 'invite') {
    if (arrival.hangup.aborted) return { kind: 'refused', status: 487, reason: 'caller hung up' };
    const opened = await openEndpoint(deps.engine, log);
    if (!('local' in opened)) return { kind: 'refused', ...opened };
    const endpoint = opened;
    const session = createSdpSession({ address: deps.engine.host, port: endpoint.local.port, sessionId: randomInt(1, 2 ** 31) });
    const answer = session.answer(arrival.req.body);
    if (!answer.ok) {
      await endpoint.close();
      return { kind: 'refused', status: answer.status, reason: answer.reason };
    }
    endpoint.setRemote(answer.negotiated);
    if (arrival.hangup.aborted) {
      await endpoint.close();
      return { kind: 'refused', status: 487, reason: 'caller hung up' };
    }
    let dialog: SrfDialog;
    try {
      dialog = await deps.srf.createUAS(arrival.req, arrival.res, {
        localSdp: answer.sdp, headers: { 'Content-Type': 'application/sdp' },
      }) as SrfDialog;
    } catch (err) {
      await endpoint.close();
      log.info({ err: (err as Error).message }, 'the caller left while being answered');
      return { kind: 'refused', status: 487, reason: 'caller hung up while being answered' };
    }
    const leg = deps.switchboard.attach(dialog, deps.party, deps.callRecordId);
    bind(leg, endpoint, session, deps, log);
    return { kind: 'up', leg, endpoint };
  }

  const { leg } = arrival;
  if (leg.gone || !leg.dialog.connected) return { kind: 'refused', status: 481, reason: `${leg.party} already hung up` };
  const opened = await openEndpoint(deps.engine, log);
  if (!('local' in opened)) return { kind: 'refused', ...opened };
  const endpoint = opened;
  const session = createSdpSession({ address: deps.engine.host, port: endpoint.local.port, sessionId: randomInt(1, 2 ** 31) });
  const previousPartner = leg.partner;
  deps.switchboard.detach(leg);
  try {
    const answerSdp = await leg.dialog.modify(session.offer());
    const parsed = session.parseAnswer(answerSdp);
    if (!parsed.ok) throw Object.assign(new Error(parsed.reason), { status: parsed.status });
    endpoint.setRemote(parsed.negotiated);
  } catch (err) {
    await endpoint.close();
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    log.info({ status, err: (err as Error).message }, `re-INVITE of ${leg.party} towards the PBX's media failed`);
    // Put the call back as it was: the caller of a failed transfer keeps talking to the transferor.
    if (previousPartner !== null && !previousPartner.gone && leg.dialog.connected) deps.switchboard.connect(leg, previousPartner);
    return { kind: 'refused', status, reason: `re-INVITE failed (${status})` };
  }
  if (leg.gone || !leg.dialog.connected) {
    await endpoint.close();
    return { kind: 'refused', status: 481, reason: `${leg.party} hung up during the re-INVITE` };
  }
  bind(leg, endpoint, session, deps, log);
  return { kind: 'up', leg, endpoint };
}

/** The digit of a SIP INFO body: `Signal=5` (application/dtmf-relay) or `5` (application/dtmf). */
export function dtmfOfInfo(contentType: string | undefined, body: string | undefined): string | undefined {
  if (body === undefined || body.trim() === '') return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const value = type === 'application/dtmf-relay' ? /^\s*Signal\s*=\s*(\S)/im.exec(body)?.[1] : type === 'application/dtmf' ? body.trim()[0] : undefined;
  return value !== undefined && /^[0-9*#A-D]$/i.test(value) ? value.toUpperCase() : undefined;
}
