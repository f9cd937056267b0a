/**
 * REFER inside a call leg: 202, then a blind transfer (Refer-To names a number) or an
 * attended one (Refer-To carries Replaces naming the transferor's other call). Progress goes
 * back as NOTIFY sipfrag on the REFER's dialog.
 */
import type { Leg } from '../call/switchboard.js';
import type { IncomingRequest, ResponseSender } from '../call/srf-call-types.js';
import { attendedTransfer, findConsultation, replaceAtDestination } from './attended.js';
import { blindTransfer } from './blind.js';
import { notifyReferProgress } from './notify.js';
import { parseReferTo } from './refer-to.js';
import type { TransferDeps } from './types.js';

export type { TransferDeps, TransferEvent } from './types.js';

/** REFERs accepted on one leg; a phone looping on REFER gets 403 after this. */
export const MAX_REFERS_PER_LEG = 10;

export function createReferHandler(deps: TransferDeps): (leg: Leg, req: IncomingRequest, res: ResponseSender) => void {
  const { logger } = deps;
  return (leg, req, res) => {
    const target = parseReferTo(req.get('Refer-To'));
    if (target === undefined) {
      logger.info({ referTo: req.get('Refer-To') }, `REFER from ${leg.party} without a usable Refer-To`);
      res.send(400, 'Bad Refer-To');
      return;
    }
    if (leg.partner === null) {
      res.send(481, 'No Call To Transfer');
      return;
    }
    if (++leg.refers > MAX_REFERS_PER_LEG || leg.handedOver) {
      res.send(leg.handedOver ? 491 : 403);
      return;
    }
    if (target.replaces !== undefined) {
      const consult = findConsultation(deps, target.replaces);
      res.send(202);
      // The consultation call may be one the PBX itself answers (the transferor waiting in a
      // queue): that leg is on the switchboard without a partner, carrying the PBX's media.
      const heldByMedia = consult !== undefined && consult.partner === null && consult.media !== undefined;
      if ((consult === undefined || heldByMedia) && deps.destinations?.replace !== undefined) {
        void replaceAtDestination(deps, leg, target.replaces).catch((err) => logger.error({ err }, 'attended transfer into a media destination crashed'));
        return;
      }
      if (consult === undefined || consult === leg) {
        logger.info({ replaces: target.replaces }, `attended transfer by ${leg.party}: the Replaces call is not known here`);
        void notifyReferProgress(leg.dialog, 481, logger);
        return;
      }
      void attendedTransfer(deps, leg, consult).catch((err) => logger.error({ err }, 'attended transfer crashed'));
      return;
    }
    if (target.user === undefined) {
      res.send(400, 'Refer-To Names No Number');
      return;
    }
    res.send(202);
    const transferee = leg.partner;
    void blindTransfer(deps, leg, transferee, target.user).catch((err) => logger.error({ err }, 'blind transfer crashed'));
  };
}
