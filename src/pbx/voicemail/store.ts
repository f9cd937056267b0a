/**
 * Stores a left message: the WAV under <dataDir>/voicemail/<box>/ and, in ONE transaction, the
 * message row plus one outbox row per recipient. The file is written under a temporary name and
 * renamed into place before the transaction; if the transaction fails the file is removed, so a
 * failure leaves neither a row without a file nor a file without a row. (A crash between rename
 * and commit can leave a file with no row; that loses nothing and is never mailed.)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { OutboxEntry, Repositories, VoicemailMessage } from '../../data/types.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { compactStamp } from './time-format.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface VoicemailStoreDeps {
  repos: Pick<Repositories, 'mailboxes' | 'voicemailMessages' | 'mailOutbox' | 'transaction'>;
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  /** Called after a message is committed: wire the outbox worker's kick() and MWI here. */
  onDeposit?: (message: VoicemailMessage, outbox: OutboxEntry[]) => void;
  /** Delete delivered messages after this many days; null/undefined = keep forever. */
  retentionDays?: number | null;
}

export type DepositInput = {
  box: string;
  callerNumber: string;
  callerName?: string | null;
  durationMs: number;
  /** Hang-up time (epoch ms or Date); default now. */
  receivedAt?: number | Date;
} & ({ wavPath: string; wavBuffer?: undefined } | { wavBuffer: Uint8Array; wavPath?: undefined });

export interface Deposited {
  message: VoicemailMessage;
  outbox: OutboxEntry[];
  /** Absolute path of the stored WAV. */
  path: string;
}

export interface VoicemailStore {
  deposit(input: DepositInput): Promise<Deposited>;
  /** Absolute path of a stored message's WAV. */
  pathOf(message: Pick<VoicemailMessage, 'file'>): string;
  /** Deletes messages older than the retention whose every recipient accepted the e-mail. */
  applyRetention(): Promise<number>;
}

function isWav(bytes: Uint8Array): boolean {
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return bytes.length > 44 && text(0, 4) === 'RIFF' && text(8, 12) === 'WAVE';
}

export function createVoicemailStore(deps: VoicemailStoreDeps): VoicemailStore {
  const { repos, dataDir, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const pathOf = (m: Pick<VoicemailMessage, 'file'>) => join(dataDir, m.file);

  return {
    pathOf,
    async deposit(input) {
      const mailbox = repos.mailboxes.get(input.box);
      if (!mailbox) throw new NotFoundError(`mailbox ${input.box} does not exist`, 'box');
      const receivedAt = input.receivedAt instanceof Date ? input.receivedAt.getTime() : input.receivedAt ?? clock.now();
      const bytes = input.wavBuffer ?? (await readFile(input.wavPath!).catch((err: NodeJS.ErrnoException) => {
        throw new ValidationError(`${input.wavPath}: cannot read the recording (${err.code ?? err.message})`, 'wavPath');
      }));
      if (!isWav(bytes)) throw new ValidationError('the recording is not a WAV file (RIFF/WAVE header missing)', 'wav');

      // UTC in stored names: unique and sortable across DST changes; the e-mail shows local time.
      const name = `${compactStamp(receivedAt, 'UTC')}-${randomBytes(4).toString('hex')}.wav`;
      const file = `voicemail/${mailbox.box}/${name}`;
      const path = pathOf({ file });
      await mkdir(join(dataDir, 'voicemail', mailbox.box), { recursive: true });
      const temporary = `${path}.part`;
      try {
        await writeFile(temporary, bytes);
        await rename(temporary, path);
      } catch (err) {
        await unlink(temporary).catch(() => undefined);
        throw err;
      }

      let stored: { message: VoicemailMessage; outbox: OutboxEntry[] };
      try {
        const now = clock.now();
        stored = repos.transaction(() => {
          const message = repos.voicemailMessages.add({
            box: mailbox.box, file, callerNumber: input.callerNumber, callerName: input.callerName ?? null,
            receivedAt, durationMs: input.durationMs, createdAt: now,
          });
          return { message, outbox: mailbox.emails.map((email) => repos.mailOutbox.enqueue(message.id, email, now)) };
        });
      } catch (err) {
        await unlink(path).catch((unlinkErr: Error) =>
          logger.error({ err: unlinkErr, path }, 'voicemail: could not remove the file of a failed deposit'));
        logger.error({ err, box: mailbox.box }, 'voicemail: storing the message failed; nothing was kept');
        throw err;
      }
      logger.info({ box: mailbox.box, messageId: stored.message.id, recipients: stored.outbox.length, durationMs: input.durationMs }, 'voicemail stored');
      try {
        deps.onDeposit?.(stored.message, stored.outbox);
      } catch (err) {
        // The message is safely stored; a failing listener must not turn that into an error.
        logger.warn({ err }, 'voicemail: onDeposit listener failed');
      }
      return { ...stored, path };
    },
    async applyRetention() {
      const days = deps.retentionDays;
      if (days === null || days === undefined) return 0;
      const doomed = repos.voicemailMessages.deliveredBefore(clock.now() - days * 86_400_000);
      for (const message of doomed) {
        // Row first: a crash after it leaves a stray file, never a row pointing at nothing.
        repos.voicemailMessages.remove(message.id);
        await unlink(pathOf(message)).catch(() => undefined);
      }
      if (doomed.length) logger.info({ removed: doomed.length, days }, 'voicemail: retention removed delivered messages');
      return doomed.length;
    },
  };
}
