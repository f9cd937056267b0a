/**
 * A phone dialled a forwarding star code (*72103, *73, …). There is no media to play a
 * confirmation yet, so the answer is the final response itself: success is `603 Decline`
 * with the reason phrase saying what changed (SPA303 shows the phrase on its display; the
 * call never rings anything), a refused code is `484 Address Incomplete` with the reason.
 * Both carry the full text in a Warning header for logs and other phones.
 */
import type { Logger } from '../../log.js';
import { describeDestination } from '../rules/forwarding.js';
import { applyStarCode, parseStarCode } from '../rules/star-codes.js';
import type { DirectoryLookup, ForwardingStore } from '../types.js';
import type { ResponseSender } from './srf-call-types.js';

export interface StarCodeDeps {
  forwarding: ForwardingStore;
  directory: DirectoryLookup;
  logger: Logger;
}

const CONDITION_WORDS = { always: 'all calls', busy: 'calls when busy', noAnswer: 'unanswered calls' } as const;

/** Handles the INVITE if `dialled` is a star code and returns true; false = route normally. */
export function answerStarCode(deps: StarCodeDeps, caller: string, dialled: string, res: ResponseSender): boolean {
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
