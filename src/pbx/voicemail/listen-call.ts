/**
 * Listening by phone: PIN (ended by '#', a bounded number of attempts; no PIN set = straight
 * in) → "you have N new messages" → each new message, oldest first; after (or during) one,
 * '7' deletes it and '#' goes to the next → goodbye. A message whose e-mail is still pending
 * is never deleted (the outbox row would lose its file): it is kept and marked heard.
 */
import { unlink } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import type { Mailbox, Repositories, VoicemailMessage } from '../../data/types.js';
import type { MediaEndpoint } from '../../media/index.js';
import { digitPrompts, newMessagesWord, promptPath, type VoicemailCallConfig } from './call-config.js';
import { createKeypad, type Keypad } from './keypad.js';
import { verifyPin } from './pin.js';

export type ListenOutcome =
  | { kind: 'done'; heard: number; deleted: number; kept: number }
  | { kind: 'wrong-pin' }
  | { kind: 'hangup'; heard: number; deleted: number };

export interface ListenCallDeps {
  repos: Pick<Repositories, 'voicemailMessages'>;
  /** Absolute path of a message's WAV. */
  pathOf(message: Pick<VoicemailMessage, 'file'>): string;
  config: VoicemailCallConfig;
  logger: Logger;
  clock?: () => number;
  /** Heard/deleted changed the mailbox's counts (MWI). */
  onChange?: (box: string) => void;
}

/** Messages played in one call at most (the loop's bound). */
export const MAX_MESSAGES_PER_CALL = 200;

async function checkPin(keypad: Keypad, mailbox: Mailbox, deps: ListenCallDeps, log: Logger): Promise<boolean | 'hangup'> {
  if (mailbox.pinHash === null) return true;
  const say = (name: Parameters<typeof promptPath>[2]) => keypad.say(promptPath(deps.config, mailbox.language, name));
  for (let attempt = 1; attempt <= deps.config.pinAttempts; attempt++) {
    await say('enter-pin');
    const pin = await keypad.collect('#', deps.config.digitTimeoutMs);
    if (keypad.hungUp) return 'hangup';
    if (pin !== null && pin !== '' && (await verifyPin(pin, mailbox.pinHash).catch(() => false))) return true;
    log.info({ attempt }, 'voicemail: wrong PIN');
    keypad.clear();
    await say('wrong-pin');
  }
  return false;
}

export async function runListen(endpoint: MediaEndpoint, mailbox: Mailbox, deps: ListenCallDeps): Promise<ListenOutcome> {
  const { config, repos } = deps;
  const clock = deps.clock ?? Date.now;
  const log = deps.logger.child({ box: mailbox.box, listening: true });
  const keypad = createKeypad(endpoint);
  const prompt = (name: Parameters<typeof promptPath>[2]) => promptPath(config, mailbox.language, name);
  let heard = 0;
  let deleted = 0;
  let kept = 0;
  try {
    const pin = await checkPin(keypad, mailbox, deps, log);
    if (pin === 'hangup') return { kind: 'hangup', heard, deleted };
    if (!pin) {
      log.warn({ attempts: config.pinAttempts }, 'voicemail: PIN attempts used up; hanging up');
      await keypad.say(prompt('goodbye'));
      return { kind: 'wrong-pin' };
    }
    const messages = repos.voicemailMessages.listNew(mailbox.box, MAX_MESSAGES_PER_CALL);
    keypad.clear();
    await keypad.say(messages.length === 0
      ? prompt('no-messages')
      : [prompt('you-have'), ...digitPrompts(config, mailbox.language, messages.length), prompt(newMessagesWord(mailbox.language, messages.length))]);
    for (const [index, message] of messages.entries()) {
      if (keypad.hungUp) return { kind: 'hangup', heard, deleted };
      if (index > 0) await keypad.say(prompt('next-message'));
      await keypad.say({ file: deps.pathOf(message) });
      if (keypad.hungUp) return { kind: 'hangup', heard, deleted };
      // The message was played (or skipped by a key): it is not new any more.
      if (repos.voicemailMessages.markHeard(message.id, clock())) heard++;
      const key = await keypad.next(config.digitTimeoutMs);
      if (key === '7') {
        if (repos.voicemailMessages.mailPending(message.id)) {
          log.warn({ messageId: message.id }, 'voicemail: not deleting a message whose e-mail is still pending');
          kept++;
        } else {
          // Row first: a crash after it leaves a stray file, never a row pointing at nothing.
          repos.voicemailMessages.remove(message.id);
          await unlink(deps.pathOf(message)).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') log.warn({ err, messageId: message.id }, 'voicemail: message file not removed');
          });
          deleted++;
          log.info({ messageId: message.id }, 'voicemail: message deleted by phone');
          await keypad.say(prompt('message-deleted'));
        }
      }
      keypad.clear();
      deps.onChange?.(mailbox.box);
    }
    if (!keypad.hungUp) await keypad.say(prompt('goodbye'));
    return keypad.hungUp ? { kind: 'hangup', heard, deleted } : { kind: 'done', heard, deleted, kept };
  } finally {
    keypad.dispose();
    if (heard > 0 || deleted > 0) deps.onChange?.(mailbox.box);
  }
}
