/**
 * A phone dialled a forwarding star code (*72103, *73, …). There is no media to play a
 * confirmation yet, so the answer is the final response itself: success is `603 Decline`
 * with the reason phrase saying what changed (SPA303 shows the phrase on its display; the
 * call never rings anything), a refused code is `484 Address Incomplete` with the reason.
 * Both carry the full text in a Warning header for logs and other phones.
 */
import type { Logger } from '../../log.js';
import { describeDestination } from '../rules/forwarding.js';
import { AGENT_CODES, applyStarCode, parseAgentCode, parseStarCode } from '../rules/star-codes.js';
import type { DirectoryLookup, ForwardingStore } from '../types.js';
import type { ResponseSender } from './srf-call-types.js';

export interface StarCodeDeps {
  forwarding: ForwardingStore;
  directory: DirectoryLookup;
  logger: Logger;
  /** Queue agents' *46 pause / *47 resume (all their queues); absent = the codes route normally. */
  queueAgents?: { pause(extension: string): string[]; resume(extension: string): string[] };
}

const CONDITION_WORDS = { always: 'all calls', busy: 'calls when busy', noAnswer: 'unanswered calls' } as const;

/** Handles the INVITE if `dialled` is a star code and returns true; false = route normally. */
export function answerStarCode(deps: StarCodeDeps, caller: string, dialled: string, res: ResponseSender): boolean {
  if (deps.queueAgents !== undefined && answerAgentCode(deps, deps.queueAgents, caller, dialled, res)) return true;
  const result = parseStarCode(dialled, { caller, directory: deps.directory });
  if (result.kind === 'none') return false;
  const warning = (text: string) => ({ headers: { Warning: `399 hookflash "${text.replace(/"/g, "'")}"` } });
  if (result.kind === 'error') {
    deps.logger.info({ caller, dialled }, `star code refused: ${result.reason}`);
    res.send(484, 'Address Incomplete', warning(result.reason));
    return true;
  }
  let text: string;
  try {
    const rules = applyStarCode(deps.forwarding.getForwarding(caller) ?? {}, result);
    deps.forwarding.setForwarding(caller, rules);
    text = result.kind === 'set-forward'
      ? `${CONDITION_WORDS[result.condition]} forward to ${describeDestination(result.to)}`
      : `${CONDITION_WORDS[result.condition]} no longer forward`;
  } catch (err) {
    deps.logger.error({ err, caller, dialled }, 'star code could not be saved');
    res.send(500, 'Server Internal Error', warning('forwarding could not be saved'));
    return true;
  }
  deps.logger.info({ caller, dialled }, `star code from ${caller}: ${text}`);
  res.send(603, result.kind === 'set-forward' ? 'Forwarding Set' : 'Forwarding Cleared', warning(text));
  return true;
}

/** *46 / *47: 603 "Agent Paused"/"Agent Resumed" naming the queues, 484 when the caller is in no queue. */
function answerAgentCode(deps: StarCodeDeps, agents: NonNullable<StarCodeDeps['queueAgents']>, caller: string, dialled: string, res: ResponseSender): boolean {
  const action = parseAgentCode(dialled);
  if (action === undefined) return false;
  const warning = (text: string) => ({ headers: { Warning: `399 hookflash "${text}"` } });
  let queues: string[];
  try {
    queues = action === 'pause' ? agents.pause(caller) : agents.resume(caller);
  } catch (err) {
    deps.logger.error({ err, caller, dialled }, 'agent code could not be saved');
    res.send(500, 'Server Internal Error', warning('the pause could not be saved'));
    return true;
  }
  if (queues.length === 0) {
    res.send(484, 'Address Incomplete', warning(`${caller} is not an agent of any queue (${AGENT_CODES[action]})`));
    return true;
  }
  const text = `${caller} ${action === 'pause' ? 'paused' : 'resumed'} in queue${queues.length > 1 ? 's' : ''} ${queues.join(', ')}`;
  deps.logger.info({ caller, dialled, queues }, `agent code: ${text}`);
  res.send(603, action === 'pause' ? 'Agent Paused' : 'Agent Resumed', warning(text));
  return true;
}
