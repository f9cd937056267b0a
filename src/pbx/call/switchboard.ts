/**
 * Which dialog is talking to which. Every call leg the PBX holds is attached here once; its
 * BYE, re-INVITE and REFER handlers look the partner up at the moment they fire, so a
 * transfer only has to re-link legs (no handlers to move). Ending a leg ends its partner,
 * unless the leg was handed over in a transfer.
 */
import type { Logger } from '../../log.js';
import type { CallOutcomes } from './records.js';
import type { IncomingRequest, ResponseSender, SrfDialog } from './srf-call-types.js';

export interface Leg {
  dialog: SrfDialog;
  /** The extension (or number) on the far side of this dialog. */
  party: string;
  /** The CDR row of the call this leg belongs to. */
  callRecordId: number | undefined;
  partner: Leg | null;
  /** Set while a transfer owns this leg: its BYE must not end the partner. */
  handedOver: boolean;
  /** REFERs received on this leg (transfer attempts); bounds a REFER storm. */
  refers: number;
  /** Ended (BYE either way); reported to onLegGone once. */
  gone: boolean;
  /** Set while the PBX itself terminates this leg's media (voicemail, queue): see media-leg.ts. */
  media?: MediaAttachment;
}

/** The PBX's own media on a leg: answers the phone's re-INVITEs and is closed when the leg ends. */
export interface MediaAttachment {
  /** Our SDP answer to a re-INVITE offer (hold/resume), or a failure status. */
  answer(offer: string): { ok: true; sdp: string } | { ok: false; status: number };
  /** Releases the media (idempotent); called once the leg is gone. */
  close(): void;
}

export interface SwitchboardDeps {
  logger: Logger;
  onLegUp(leg: Leg): void;
  /** A leg ended (either side hung up, or the PBX released it); called once per leg. */
  onLegGone(leg: Leg): void;
  onRefer(leg: Leg, req: IncomingRequest, res: ResponseSender): void;
  /** The call records (call/records.ts); absent = outcomes are not recorded. */
  outcomes?: CallOutcomes;
}

export interface Switchboard {
  attach(dialog: SrfDialog, party: string, callRecordId: number | undefined): Leg;
  connect(a: Leg, b: Leg): void;
  /** Unlinks `leg` from its partner (both sides) without hanging anything up. */
  detach(leg: Leg): void;
  /** The leg holding this dialog (found by Call-ID and one of its tags: Replaces). */
  findByDialog(callId: string, tags: string[]): Leg | undefined;
  /** Hangs up a leg without touching its partner. */
  release(leg: Leg): void;
  activeLegs(): number;
  /** Whether `party` is on a leg that is up (talking, or held by the PBX's own media). */
  isOnCall(party: string): boolean;
  /** Calls in progress: legs grouped by their call record (a transfer keeps the record). */
  activeCalls(): number;
  /**
   * How the calls on these legs end in the call log. Here because the switchboard reaches every
   * media destination however the call arrived (new call, forwarding, transfer, queue overflow).
   */
  outcomes: CallOutcomes;
}

const NO_OUTCOMES: CallOutcomes = { answered() {}, endsAs() {} };

export function createSwitchboard(deps: SwitchboardDeps): Switchboard {
  const { logger } = deps;
  const legs = new Set<Leg>();

  function detach(leg: Leg): void {
    const partner = leg.partner;
    leg.partner = null;
    if (partner !== null && partner.partner === leg) partner.partner = null;
  }

  function release(leg: Leg): void {
    leg.handedOver = true;
    detach(leg);
    if (leg.dialog.connected) void leg.dialog.destroy().catch((err) => logger.debug({ err }, 'BYE of a released leg failed'));
    // srf emits no 'destroy' for a BYE the app sends itself, so the leg ends here.
    gone(leg);
  }

  function gone(leg: Leg): void {
    legs.delete(leg);
    if (leg.gone) return;
    leg.gone = true;
    // Media ports are freed whichever way the leg ended (BYE either way, release, errors).
    leg.media?.close();
    deps.onLegGone(leg);
  }

  function attach(dialog: SrfDialog, party: string, callRecordId: number | undefined): Leg {
    const leg: Leg = { dialog, party, callRecordId, partner: null, handedOver: false, refers: 0, gone: false };
    legs.add(leg);
    deps.onLegUp(leg);
    dialog.on('destroy', () => {
      const partner = leg.partner;
      detach(leg);
      if (!leg.handedOver && partner !== null) {
        logger.info({ party: leg.party, other: partner.party }, `${leg.party} hung up; ending ${partner.party}'s leg`);
        release(partner);
      }
      gone(leg);
    });
    // Hold, resume and codec changes: relay the offer to the partner and its answer back.
    dialog.on('modify', (req, res) => {
      const partner = leg.partner;
      if (partner === null && leg.media !== undefined) {
        // The PBX's own media answers (hold/resume towards voicemail or a queue).
        const answer = leg.media.answer(req.body);
        if (answer.ok) res.send(200, { body: answer.sdp, headers: { 'Content-Type': 'application/sdp' } });
        else res.send(answer.status);
        return;
      }
      if (partner === null || !partner.dialog.connected) {
        res.send(200, { body: dialog.local.sdp, headers: { 'Content-Type': 'application/sdp' } });
        return;
      }
      partner.dialog.modify(req.body).then(
        (answer) => res.send(200, { body: answer, headers: { 'Content-Type': 'application/sdp' } }),
        (err: { status?: number }) => {
          logger.info({ party: partner.party, status: err?.status }, 're-INVITE relay refused by the other side');
          res.send(typeof err?.status === 'number' && err.status >= 400 ? err.status : 488);
        },
      );
    });
    dialog.on('refer', (req, res) => deps.onRefer(leg, req, res));
    return leg;
  }

  return {
    attach,
    connect(a, b) {
      detach(a);
      detach(b);
      a.partner = b;
      b.partner = a;
    },
    detach,
    findByDialog(callId, tags) {
      for (const leg of legs) {
        const sip = leg.dialog.sip;
        if (sip.callId === callId && (tags.includes(sip.localTag) || tags.includes(sip.remoteTag))) return leg;
      }
      return undefined;
    },
    release,
    outcomes: deps.outcomes ?? NO_OUTCOMES,
    activeLegs: () => legs.size,
    activeCalls() {
      const calls = new Set<number | Leg>();
      for (const leg of legs) calls.add(leg.callRecordId ?? leg);
      return calls.size;
    },
    isOnCall(party) {
      // A small office has tens of legs at most: a scan is cheaper than keeping an index right.
      for (const leg of legs) if (leg.party === party && !leg.gone) return true;
      return false;
    },
  };
}
