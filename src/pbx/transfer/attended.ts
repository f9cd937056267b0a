/**
 * Attended transfer: the transferor has two calls through the PBX, the held one and the
 * consultation, and REFERs one of them with `Replaces` naming the other. Both far parties are
 * joined (each re-INVITEd with the other's SDP) and the transferor's two legs are released.
 * The REFER may arrive on either of the two legs; the join is the same.
 */
import { asTwoWayOffer } from '../call/sdp.js';
import type { Leg } from '../call/switchboard.js';
import type { ReplacesTarget } from './refer-to.js';
import { notifyReferProgress } from './notify.js';
import type { TransferDeps } from './types.js';

/** The transferor's leg of the call named by Replaces (by Call-ID and either tag). */
export function findConsultation(deps: TransferDeps, replaces: ReplacesTarget): Leg | undefined {
  return deps.switchboard.findByDialog(replaces.callId, [replaces.fromTag, replaces.toTag]);
}

/**
 * The Replaces call is not one the switchboard joins two phones on, but one a media
 * destination holds (the transferor's call into a queue): the destination swaps the transferee
 * in; the transferor is let go.
 */
export async function replaceAtDestination(deps: TransferDeps, referLeg: Leg, replaces: ReplacesTarget): Promise<void> {
  const log = deps.logger.child({ transfer: 'attended', by: referLeg.party });
  const transferee = referLeg.partner;
  const replace = deps.destinations?.replace;
  if (transferee === null || replace === undefined) {
    await notifyReferProgress(referLeg.dialog, 481, log);
    return;
  }
  referLeg.handedOver = true;
  await notifyReferProgress(referLeg.dialog, 100, log);
  let replaced = false;
  try {
    replaced = await replace(replaces.callId, [replaces.fromTag, replaces.toTag], transferee);
  } catch (err) {
    log.error({ err }, 'media destination failed to take the replacing call');
  }
  if (!replaced) {
    referLeg.handedOver = false;
    log.info({ replaces }, `attended transfer by ${referLeg.party}: the Replaces call is not known here`);
    await notifyReferProgress(referLeg.dialog, 481, log);
    return;
  }
  await notifyReferProgress(referLeg.dialog, 200, log);
  deps.switchboard.release(referLeg);
  log.info(`${transferee.party} took ${referLeg.party}'s place at a media destination`);
}

export async function attendedTransfer(deps: TransferDeps, referLeg: Leg, consultLeg: Leg): Promise<void> {
  const { switchboard, logger } = deps;
  const transferee = referLeg.partner;
  const target = consultLeg.partner;
  const log = logger.child({ transfer: 'attended', by: referLeg.party, transferee: transferee?.party, target: target?.party });
  if (transferee === null || target === null) {
    await notifyReferProgress(referLeg.dialog, 481, log);
    return;
  }
  referLeg.handedOver = true;
  consultLeg.handedOver = true;
  await notifyReferProgress(referLeg.dialog, 100, log);
  log.info(`attended transfer: joining ${transferee.party} and ${target.party} (requested by ${referLeg.party})`);
  const event = { kind: 'transfer' as const, type: 'attended' as const, by: referLeg.party, transferee: transferee.party, target: target.party };

  switchboard.connect(transferee, target);
  try {
    const targetAnswer = await target.dialog.modify(asTwoWayOffer(transferee.dialog.remote.sdp));
    await transferee.dialog.modify(targetAnswer);
  } catch (err) {
    const status = typeof (err as { status?: number }).status === 'number' ? (err as { status: number }).status : 500;
    log.warn({ err, status }, `attended transfer failed while re-INVITEing (${status}); restoring both calls`);
    if (referLeg.dialog.connected && transferee.dialog.connected) switchboard.connect(referLeg, transferee);
    if (consultLeg.dialog.connected && target.dialog.connected) switchboard.connect(consultLeg, target);
    referLeg.handedOver = false;
    consultLeg.handedOver = false;
    await notifyReferProgress(referLeg.dialog, status, log);
    deps.recordEvent([transferee, target], { ...event, result: 'failed', status });
    return;
  }
  await notifyReferProgress(referLeg.dialog, 200, log);
  switchboard.release(referLeg);
  switchboard.release(consultLeg);
  deps.recordEvent([transferee, target], { ...event, result: 'completed', status: 200 });
  log.info(`${transferee.party} now talks to ${target.party}`);
}
