/**
 * One call from an authenticated extension: a call record, the router's plan run step by step
 * (dial.ts), ringback relayed to the caller, and on answer the caller's leg (createUAS with the
 * callee's SDP) joined to the answering leg on the switchboard. Unhappy endings are values:
 * the caller gets the plan's final status.
 */
import type { Logger } from '../../log.js';
import { describeStep } from '../rules/plan.js';
import { destinationFor, type MediaDestination, type MediaDestinations, type MediaStep } from './destinations.js';
import type { Dialler } from './dial.js';
import type { CallRecorder } from './records.js';
import type { CallSrf, IncomingRequest, ResponseSender } from './srf-call-types.js';
import type { Switchboard } from './switchboard.js';

export interface CallDeps {
  srf: CallSrf;
  dialler: Dialler;
  switchboard: Switchboard;
  records: CallRecorder;
  logger: Logger;
  /** Voicemail and queues; without them such steps count as unavailable. */
  destinations?: MediaDestinations;
}

export interface Caller {
  number: string;
  displayName?: string;
}

const REASON_PHRASES: Record<number, string> = {
  404: 'Not Found', 481: 'Call/Transaction Does Not Exist', 487: 'Request Terminated', 488: 'Not Acceptable Here', 503: 'Service Unavailable', 480: 'Temporarily Unavailable', 482: 'Loop Detected', 486: 'Busy Here', 500: 'Server Internal Error',
};

export async function runCall(deps: CallDeps, req: IncomingRequest, res: ResponseSender, caller: Caller, dialled: string): Promise<void> {
  const { srf, dialler, switchboard, records } = deps;
  const callId = req.get('Call-ID') ?? 'unknown';
  const log = deps.logger.child({ callId, caller: caller.number, dialled });
  const recordId = records.start({ callId, caller: caller.number, callee: dialled });

  const hangup = new AbortController();
  req.on('cancel', () => {
    log.info(`${caller.number} hung up before an answer`);
    hangup.abort();
  });

  // Ringback: each kind of provisional once (a forked call would otherwise repeat them).
  const relayed = new Set<number>();
  const end = await dialler.dial({
    dialled,
    sdp: req.body,
    caller,
    signal: hangup.signal,
    logger: log,
    onProvisional: (p) => {
      if ((p.status !== 180 && p.status !== 183) || relayed.has(p.status) || hangup.signal.aborted) return;
      relayed.add(p.status);
      try {
        res.send(p.status, p.body ? { body: p.body, headers: { 'Content-Type': 'application/sdp' } } : undefined);
      } catch (err) {
        log.debug({ err }, 'could not relay a provisional response');
      }
    },
    handoff: (step) => destinationFor(deps.destinations, step) !== undefined,
    onStep: (step, previous) => {
      if (previous === undefined) return;
      records.event(recordId, { kind: 'forward', outcome: previous.outcome, next: describeStep(step), path: step.path });
    },
  });

  if (end.kind === 'handoff') {
    await handOver(deps, destinationFor(deps.destinations, end.step)!, { req, res, hangup: hangup.signal }, { caller, step: end.step, recordId, log });
    return;
  }

  if (end.kind === 'ended') {
    if (!hangup.signal.aborted) {
      res.send(end.status, REASON_PHRASES[end.status] ?? 'Call Failed', { headers: { Warning: `399 hookflash "${end.reason.replace(/"/g, "'")}"` } });
    }
    records.end(recordId, hangup.signal.aborted ? 'cancelled' : end.disposition);
    return;
  }

  const callee = end.dialog;
  if (hangup.signal.aborted) {
    void callee.destroy().catch(() => undefined);
    records.end(recordId, 'cancelled');
    return;
  }
  let uas;
  try {
    uas = await srf.createUAS(req, res, { localSdp: callee.remote.sdp, headers: { 'Content-Type': 'application/sdp' } });
  } catch (err) {
    // The caller gave up in the very moment the callee answered.
    log.info({ err: (err as Error).message }, `${caller.number}'s leg could not be answered; hanging up ${end.step.extension}`);
    void callee.destroy().catch(() => undefined);
    records.end(recordId, 'cancelled');
    return;
  }
  records.answered(recordId);
  const a = switchboard.attach(uas, caller.number, recordId);
  const b = switchboard.attach(callee, end.step.extension, recordId);
  switchboard.connect(a, b);
  log.info(`${caller.number} ↔ ${end.step.extension} connected (${end.step.path.join(' → ')})`);
}

/** What a media destination (voicemail, queue) records on the call, so the CDR says where it went. */
export function destinationEvent(step: MediaStep): { kind: string; [detail: string]: unknown } {
  return step.kind === 'voicemail'
    ? { kind: 'voicemail', box: step.box, cause: step.cause }
    : { kind: 'queue', number: step.number, cause: step.cause };
}

/**
 * A call that goes straight to a media destination without ringing anyone (the voicemail
 * access number): a call record, then the destination answers or refuses.
 */
export async function runDestinationCall(
  deps: CallDeps, req: IncomingRequest, res: ResponseSender, caller: Caller, dialled: string,
  destination: MediaDestination, step: MediaStep,
): Promise<void> {
  const callId = req.get('Call-ID') ?? 'unknown';
  const log = deps.logger.child({ callId, caller: caller.number, dialled });
  const recordId = deps.records.start({ callId, caller: caller.number, callee: dialled });
  const hangup = new AbortController();
  req.on('cancel', () => hangup.abort());
  await handOver(deps, destination, { req, res, hangup: hangup.signal }, { caller, step, recordId, log });
}

async function handOver(
  deps: CallDeps,
  destination: MediaDestination,
  invite: { req: IncomingRequest; res: ResponseSender; hangup: AbortSignal },
  call: { caller: Caller; step: MediaStep; recordId: number | undefined; log: Logger },
): Promise<void> {
  const { records, switchboard, dialler } = deps;
  const { res, hangup } = invite;
  records.event(call.recordId, destinationEvent(call.step));
  let taken;
  try {
    taken = await destination.take({ kind: 'invite', ...invite }, {
      caller: call.caller, step: call.step, callRecordId: call.recordId, logger: call.log, switchboard, dialler,
    });
  } catch (err) {
    call.log.error({ err }, `${describeStep(call.step)} crashed while taking the call`);
    taken = { kind: 'refused' as const, status: 500, reason: 'destination failed' };
  }
  // Taken: the destination records the answer and the ending itself (switchboard.outcomes), since
  // only it knows when a person answers (a queue agent) and how the call ends (a deposit).
  if (taken.kind === 'taken') return;
  call.log.info({ status: taken.status }, `${describeStep(call.step)} refused the call: ${taken.reason}`);
  if (!hangup.aborted && !res.finalResponseSent) {
    try {
      res.send(taken.status, REASON_PHRASES[taken.status] ?? 'Call Failed', { headers: { Warning: `399 hookflash "${taken.reason.replace(/"/g, "'")}"` } });
    } catch (err) {
      call.log.debug({ err }, 'could not send the final response');
    }
  }
  records.end(call.recordId, hangup.aborted ? 'cancelled' : 'failed');
}
