/**
 * The rule engine's stores (src/pbx/types.ts) over the repositories. Rules are validated on
 * the way in; on the way out a stored value that no longer validates (edited by hand, or
 * written by an older version) is logged and treated as absent, so one bad row cannot break
 * every call.
 */
import type { Logger } from '../log.js';
import type { EntryNumberRepository, ExtensionRepository, ForwardingRepository, MailboxRepository, QueueRepository } from '../data/types.js';
import { checkEntryNumber } from './rules/entry-numbers.js';
import { checkForwardingRules } from './rules/forwarding.js';
import type { DirectoryLookup, EntryNumber, ForwardingRules, ForwardingStore, ScheduleStore } from './types.js';

export function createForwardingStore(deps: { forwarding: ForwardingRepository; logger: Logger }): ForwardingStore {
  return {
    getForwarding(extension) {
      const stored = deps.forwarding.get(extension);
      if (stored === undefined) return undefined;
      try {
        return checkForwardingRules(stored, extension);
      } catch (err) {
        deps.logger.warn({ extension, err: (err as Error).message }, `stored forwarding of ${extension} is invalid; ignored`);
        return undefined;
      }
    },
    setForwarding(extension, rules: ForwardingRules) {
      const checked = checkForwardingRules(rules, extension);
      deps.forwarding.set(extension, checked as Record<string, unknown>);
    },
  };
}

export interface EntryNumberStore extends ScheduleStore {
  /** Validates (schedule included) and saves; returns the compiled entry. */
  saveEntry(input: unknown): EntryNumber;
}

export function createScheduleStore(deps: { entryNumbers: EntryNumberRepository; logger: Logger }): EntryNumberStore {
  return {
    getEntry(number) {
      const stored = deps.entryNumbers.get(number);
      if (stored === undefined) return undefined;
      try {
        return checkEntryNumber({ ...stored.definition, number: stored.number });
      } catch (err) {
        deps.logger.warn({ number, err: (err as Error).message }, `stored entry number ${number} is invalid; ignored`);
        return undefined;
      }
    },
    saveEntry(input) {
      const entry = checkEntryNumber(input);
      const { number, ...definition } = input as Record<string, unknown>;
      deps.entryNumbers.save(String(number), definition);
      return entry;
    },
  };
}

/**
 * A queue is a number in the queues table and a mailbox a row in the mailboxes table (when the
 * repositories are given). Without the mailboxes repository every extension counts as owning
 * the mailbox of the same number (units that have no voicemail tables).
 */
export function createDirectory(deps: {
  extensions: Pick<ExtensionRepository, 'get'>;
  queues?: Pick<QueueRepository, 'get'>;
  mailboxes?: Pick<MailboxRepository, 'get'>;
}): DirectoryLookup {
  const isExtension = (number: string) => deps.extensions.get(number) !== undefined;
  const mailboxes = deps.mailboxes;
  return {
    isExtension,
    isQueue: (number) => deps.queues?.get(number) !== undefined,
    isMailbox: mailboxes === undefined ? isExtension : (box) => mailboxes.get(box) !== undefined,
  };
}
