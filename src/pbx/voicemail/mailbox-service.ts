/** Mailbox management shared by the CLI and (later) the web UI: PINs hashed, greetings checked. */
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../../log.js';
import type { Mailbox, MailboxLanguage, Repositories } from '../../data/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkAudioFile, writeWav, type AudioInfo } from '../../media/index.js';
import { hashPin } from './pin.js';

export interface MailboxServiceDeps {
  repos: Pick<Repositories, 'mailboxes' | 'mailOutbox'>;
  dataDir: string;
  logger: Logger;
}

export interface AddMailboxInput {
  box: string;
  name: string;
  emails?: string[];
  /** Digits in clear; only its scrypt hash is stored. */
  pin?: string;
  language?: MailboxLanguage;
  extension?: string | null;
}

export interface MailboxService {
  add(input: AddMailboxInput): Promise<Mailbox>;
  list(): Mailbox[];
  /** Refused while e-mails of the mailbox's messages are still undelivered. */
  remove(box: string): Promise<void>;
  /** Validates and converts a WAV to 8 kHz mono, stores it as <dataDir>/greetings/<box>.wav. */
  setGreeting(box: string, file: string): Promise<{ mailbox: Mailbox; info: AudioInfo; path: string }>;
  setPin(box: string, pin: string | null): Promise<Mailbox>;
}

/** A greeting longer than this is a mistake (a whole recording uploaded), not a greeting. */
const MAX_GREETING_MS = 2 * 60_000;

export function createMailboxService(deps: MailboxServiceDeps): MailboxService {
  const { repos, dataDir, logger } = deps;
  const mustGet = (box: string) => {
    const m = repos.mailboxes.get(box);
    if (!m) throw new NotFoundError(`mailbox ${box} does not exist`, 'box');
    return m;
  };

  return {
    async add(input) {
      const pinHash = input.pin === undefined ? null : await hashPin(input.pin);
      const mailbox = repos.mailboxes.add({
        box: input.box, name: input.name, emails: input.emails ?? [], pinHash,
        language: input.language ?? 'pl', extension: input.extension ?? null,
      });
      logger.info({ box: mailbox.box, recipients: mailbox.emails.length, pinSet: pinHash !== null }, 'mailbox added');
      return mailbox;
    },
    list: () => repos.mailboxes.list(),
    async remove(box) {
      const mailbox = mustGet(box);
      const undelivered = repos.mailOutbox.undeliveredForBox(mailbox.box);
      if (undelivered > 0) {
        throw new ConflictError(
          `mailbox ${mailbox.box} still has ${undelivered} undelivered e-mail(s); see "hookflash mailbox outbox", ` +
            'retry them or wait until they are sent before removing it',
          'box',
        );
      }
      repos.mailboxes.remove(mailbox.box);
      if (mailbox.greetingFile) await unlink(join(dataDir, mailbox.greetingFile)).catch(() => undefined);
      logger.info({ box: mailbox.box }, 'mailbox removed (its messages are kept)');
    },
    async setGreeting(box, file) {
      const mailbox = mustGet(box);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new ValidationError(`${file}: cannot read the greeting (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'file');
      }
      const checked = checkAudioFile(bytes, basename(file), { maxDurationMs: MAX_GREETING_MS });
      if (!checked.ok) throw new ValidationError(checked.message, 'file');
      const relative = `greetings/${mailbox.box}.wav`;
      const path = join(dataDir, relative);
      await mkdir(join(dataDir, 'greetings'), { recursive: true });
      await writeWav(path, checked.samples);
      const updated = repos.mailboxes.update(mailbox.box, { greetingFile: relative });
      logger.info({ box: mailbox.box, converted: checked.info.converted, durationMs: Math.round(checked.info.durationMs) }, 'mailbox greeting stored');
      return { mailbox: updated, info: checked.info, path };
    },
    async setPin(box, pin) {
      mustGet(box);
      return repos.mailboxes.update(box, { pinHash: pin === null ? null : await hashPin(pin) });
    },
  };
}
