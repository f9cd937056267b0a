/**
 * Blind transfer: the transferor REFERs its partner (the transferee) to a number. The number
 * is dialled through the router like any call (forwarding included) offering the transferee's
 * SDP; on answer the transferee is re-INVITEd with the new party's SDP and the transferor is
 * let go. On failure the NOTIFY carries the failure status and the original call stays as it
 * was (usually on hold), so the transferor can take it back.
 */
import { destinationEvent } from '../call/call.js';
import { destinationFor } from '../call/destinations.js';
import { asTwoWayOffer } from '../call/sdp.js';
import { describeStep } from '../rules/plan.js';
import type { Leg } from '../call/switchboard.js';
import { notifyReferProgress } from './notify.js';
import type { TransferDeps } from './types.js';

export async function blindTransfer(deps: TransferDeps, transferor: Leg, transferee: Leg, dialled: string): Promise<void> {
  const { switchboard, dialler, logger } = deps;
  const log = logger.child({ transfer: 'blind', by: transferor.party, transferee: transferee.party, target: dialled });
  // From now on the transferor hanging up (phones often do right after 202) must not end the call.
  transferor.handedOver = true;
  await notifyReferProgress(transferor.dialog, 100, log);
  log.info(`blind transfer of ${transferee.party} to ${dialled} requested by ${transferor.party}`);

  const end = await dialler.dial({
    dialled,
    sdp: asTwoWayOffer(transferee.dialog.remote.sdp),
    caller: { number: transferee.party },
    logger: log,
    handoff: (step) => destinationFor(deps.destinations, step) !== undefined,
  });
  const event = { kind: 'transfer' as const, type: 'blind' as const, by: transferor.party, transferee: transferee.party, target: dialled };

  let failedStatus: number | undefined;
  if (end.kind === 'handoff') {
    // Voicemail or a queue: the transferee's answered leg is re-INVITEd towards the PBX's media.
    const destination = destinationFor(deps.destinations, end.step)!;
    const taken = transferee.dialog.connected
      ? await destination.take({ kind: 'leg', leg: transferee }, {
        caller: { number: transferee.party }, step: end.step, callRecordId: transferee.callRecordId,
        logger: log, switchboard, dialler,
      }).catch((err: unknown) => {
        log.error({ err }, 'media destination crashed while taking a transferred call');
        return { kind: 'refused' as const, status: 500, reason: 'destination failed' };
      })
      : { kind: 'refused' as const, status: 487, reason: `${transferee.party} hung up` };
    if (taken.kind === 'taken') {
      await notifyReferProgress(transferor.dialog, 200, log);
      switchboard.release(transferor);
      deps.recordEvent([transferee], { ...event, result: 'completed', status: 200, destination: destinationEvent(end.step) });
      log.info(`${transferee.party} now goes to ${describeStep(end.step)}`);
      return;
    }
    failedStatus = taken.status;
  }

  if (end.kind === 'answered' && transferee.dialog.connected) {
    const target = switchboard.attach(end.dialog, end.step.extension, transferee.callRecordId);
    switchboard.connect(transferee, target);
    try {
      await transferee.dialog.modify(end.dialog.remote.sdp);
    } catch (err) {
      log.warn({ err }, `re-INVITE of ${transferee.party} towards ${end.step.extension} failed; the audio may be one-way`);
    }
    await notifyReferProgress(transferor.dialog, 200, log);
    switchboard.release(transferor);
    deps.recordEvent([transferee, target], { ...event, result: 'completed', status: 200 });
    log.info(`${transferee.party} now talks to ${end.step.extension}`);
    return;
  }
  if (end.kind === 'answered') void end.dialog.destroy().catch(() => undefined);   // transferee left meanwhile

  const status = failedStatus ?? (end.kind === 'ended' ? end.status : 487);
  log.info({ status }, `blind transfer to ${dialled} failed (${status}); the original call stays`);
  transferor.handedOver = false;
  await notifyReferProgress(transferor.dialog, status, log);
  deps.recordEvent([transferee], { ...event, result: 'failed', status });
  if (!transferor.dialog.connected && transferee.dialog.connected) {
    log.info(`${transferor.party} already hung up; ending ${transferee.party}'s call`);
    switchboard.release(transferee);
  }
}
