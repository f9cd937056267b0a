/**
 * Call detail records for calls in progress. One row per call (I's CdrRepository); a row
 * ends when the last leg carrying it is gone. A failing write is logged and never breaks a
 * call: the phones matter more than the report.
 */
import type { Logger } from '../../log.js';
import type { CallDisposition, CdrRepository } from '../../data/types.js';

/**
 * What a media destination (voicemail, queue) tells the record of a call it holds. The
 * destinations reach it through the switchboard (switchboard.outcomes), which every way into
 * them (a new call, forwarding, a transfer, a queue overflow) already carries.
 */
export interface CallOutcomes {
  /** Someone took the call now (an agent, the voicemail); only the first answer counts. */
  answered(id: number | undefined): void;
  /** The row ends with `disposition` when its last leg goes (default 'answered'); the latest call wins. */
  endsAs(id: number | undefined, disposition: CallDisposition): void;
}

export interface CallRecorder extends CallOutcomes {
  start(call: { callId: string; caller: string; callee: string }): number | undefined;
  event(id: number | undefined, event: { kind: string; [detail: string]: unknown }): void;
  /** Ends the row now (unanswered calls). */
  end(id: number | undefined, disposition: CallDisposition): void;
  legUp(id: number | undefined): void;
  /** A leg went away; the row ends with its last leg, as endsAs() said (else 'answered'). */
  legDown(id: number | undefined): void;
}

export function createCallRecorder(deps: { cdr: Pick<CdrRepository, 'start' | 'answer' | 'end' | 'addEvent'>; logger: Logger }): CallRecorder {
  const { cdr, logger } = deps;
  const liveLegs = new Map<number, number>();
  // Rows started and not yet ended: bounded by the calls in progress, and what makes end() idempotent.
  const open = new Set<number>();
  // How open rows end when their last leg goes, when not 'answered'; cleared with the row.
  const endings = new Map<number, CallDisposition>();
  const safely = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, `call record: ${what} failed`);
    }
  };
  const end = (id: number | undefined, disposition: CallDisposition): void => {
    if (id === undefined || !open.has(id)) return;
    open.delete(id);
    liveLegs.delete(id);
    endings.delete(id);
    safely('end', () => cdr.end(id, disposition));
  };
  return {
    start(call) {
      let id: number | undefined;
      safely('start', () => { id = cdr.start(call).id; });
      if (id !== undefined) open.add(id);
      return id;
    },
    answered(id) {
      if (id !== undefined) safely('answer', () => cdr.answer(id));
    },
    endsAs(id, disposition) {
      if (id === undefined || !open.has(id)) return;
      if (disposition === 'answered') endings.delete(id);
      else endings.set(id, disposition);
    },
    event(id, event) {
      if (id !== undefined && open.has(id)) safely('event', () => cdr.addEvent(id, event));
    },
    end,
    legUp(id) {
      if (id !== undefined && open.has(id)) liveLegs.set(id, (liveLegs.get(id) ?? 0) + 1);
    },
    legDown(id) {
      if (id === undefined || !open.has(id)) return;
      const left = (liveLegs.get(id) ?? 1) - 1;
      if (left > 0) liveLegs.set(id, left);
      else end(id, endings.get(id) ?? 'answered');
    },
  };
}
