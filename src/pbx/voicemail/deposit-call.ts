/**
 * Leaving a message: greeting (the mailbox's own, else the default prompt in its language) →
 * beep → record until '#', silence, the maximum length or hang-up → store (file, row, one
 * outbox row per recipient). A recording shorter than the minimum is discarded: a caller who
 * hangs up at the beep left no message, and nobody wants an e-mail of a click.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { Mailbox } from '../../data/types.js';
import type { MediaEndpoint } from '../../media/index.js';
import { promptPath, type VoicemailCallConfig } from './call-config.js';
import { createKeypad } from './keypad.js';
import type { VoicemailStore } from './store.js';

export type DepositOutcome =
  | { kind: 'stored'; messageId: number; durationMs: number; endedBy: string }
  | { kind: 'too-short'; durationMs: number }
  | { kind: 'hung-up-early' }
  | { kind: 'failed'; error: string };

export interface DepositCallDeps {
  store: Pick<VoicemailStore, 'deposit'>;
  dataDir: string;
  config: VoicemailCallConfig;
  logger: Logger;
  clock?: () => number;
}

export async function runDeposit(
  endpoint: MediaEndpoint,
  mailbox: Mailbox,
  caller: { number: string; displayName?: string },
  deps: DepositCallDeps,
): Promise<DepositOutcome> {
  const { config } = deps;
  const clock = deps.clock ?? Date.now;
  const log = deps.logger.child({ box: mailbox.box, caller: caller.number });
  const keypad = createKeypad(endpoint);
  const ownGreeting = mailbox.greetingFile ? join(deps.dataDir, mailbox.greetingFile) : null;
  const greeting = ownGreeting !== null && existsSync(ownGreeting) ? ownGreeting : promptPath(config, mailbox.language, 'voicemail-greeting');
  if (ownGreeting !== null && greeting !== ownGreeting) log.warn({ greeting: mailbox.greetingFile }, 'mailbox greeting file is missing; playing the default');
  let recording: string | undefined;
  try {
    // Callers who know the box may skip the greeting with '#'.
    await keypad.say(greeting);
    if (keypad.hungUp) return { kind: 'hung-up-early' };
    keypad.clear();
    await endpoint.play(promptPath(config, mailbox.language, 'beep')).done;
    if (endpoint.closed) return { kind: 'hung-up-early' };
    keypad.clear();

    const dir = join(deps.dataDir, 'voicemail', '.recording');
    await mkdir(dir, { recursive: true });
    recording = join(dir, `${mailbox.box}-${randomBytes(6).toString('hex')}.wav`);
    const result = await endpoint.record({
      file: recording,
      maxDurationMs: config.maxMessageMs,
      stopOnDtmf: '#',
      silence: { thresholdDb: config.silenceThresholdDb, durationMs: config.silenceMs },
    });
    const receivedAt = clock();
    if (result.durationMs < config.minMessageMs) {
      log.info({ durationMs: result.durationMs, minMs: config.minMessageMs, endedBy: result.endedBy }, 'voicemail: recording too short; discarded');
      return { kind: 'too-short', durationMs: result.durationMs };
    }
    const stored = await deps.store.deposit({
      box: mailbox.box, callerNumber: caller.number, callerName: caller.displayName ?? null,
      durationMs: result.durationMs, receivedAt, wavPath: recording,
    });
    log.info({ messageId: stored.message.id, durationMs: result.durationMs, endedBy: result.endedBy }, 'voicemail: message left');
    if (!endpoint.closed) await endpoint.play(promptPath(config, mailbox.language, 'goodbye')).done;
    return { kind: 'stored', messageId: stored.message.id, durationMs: result.durationMs, endedBy: result.endedBy };
  } catch (err) {
    log.error({ err }, 'voicemail: the message could not be stored');
    return { kind: 'failed', error: (err as Error).message };
  } finally {
    keypad.dispose();
    if (recording !== undefined) await unlink(recording).catch(() => undefined);
  }
}
