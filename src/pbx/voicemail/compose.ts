/**
 * Builds the voicemail e-mail for one recipient: subject and text from templates/mail in the
 * mailbox's language, the recording attached as audio/wav.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import handlebars from 'handlebars';
import type { SendMailOptions } from 'nodemailer';
import type { Mailbox, MailboxLanguage, VoicemailMessage } from '../../data/types.js';
import { ConfigError } from '../../errors.js';
import { compactStamp, formatDuration, formatWhen } from './time-format.js';

const LANGUAGES: readonly MailboxLanguage[] = ['pl', 'en'];

/** templates/mail from the package root, whether running from src/ (tsx) or dist/src/. */
export function defaultMailTemplatesDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'templates', 'mail');
    if (existsSync(join(candidate, 'voicemail.en.text.hbs'))) return candidate;
    if (dirname(dir) === dir) throw new ConfigError(`cannot find templates/mail above ${from}`);
  }
}

export interface MailComposerOptions {
  from: string;
  timeZone: string;
  templatesDir?: string;
}

export interface ComposeInput {
  mailbox: Pick<Mailbox, 'box' | 'name' | 'language'>;
  message: VoicemailMessage;
  recipient: string;
  /** Absolute path of the stored WAV. */
  wavPath: string;
  /** The outbox row id: part of a stable Message-ID, so a re-send after a crash is recognisable. */
  outboxId: number;
}

export interface MailComposer {
  compose(input: ComposeInput): SendMailOptions;
}

/** "voicemail-102-20261122-093005.wav": the box and local time, as the issue asks. */
export function attachmentName(box: string, receivedAt: number, timeZone: string): string {
  return `voicemail-${box}-${compactStamp(receivedAt, timeZone)}.wav`;
}

export function createMailComposer(opts: MailComposerOptions): MailComposer {
  const dir = opts.templatesDir ?? defaultMailTemplatesDir();
  const compile = (file: string) => {
    const path = join(dir, file);
    try {
      return handlebars.compile(readFileSync(path, 'utf8'), { noEscape: true, strict: true });
    } catch (err) {
      throw new ConfigError(`mail template ${path}: ${(err as Error).message}`);
    }
  };
  // Compiled once up front so a broken template fails at start, not on the first voicemail.
  const templates = new Map(LANGUAGES.map((lang) => [lang, {
    subject: compile(`voicemail.${lang}.subject.hbs`),
    text: compile(`voicemail.${lang}.text.hbs`),
  }]));
  const fromDomain = /@([^>\s]+)/.exec(opts.from)?.[1] ?? 'hookflash.invalid';

  return {
    compose({ mailbox, message, recipient, wavPath, outboxId }) {
      const template = templates.get(mailbox.language) ?? templates.get('en')!;
      const name = attachmentName(mailbox.box, message.receivedAt, opts.timeZone);
      const view = {
        box: mailbox.box,
        mailboxName: mailbox.name,
        callerNumber: message.callerNumber || '?',
        callerName: message.callerName ?? '',
        caller: message.callerName ? `${message.callerName} (${message.callerNumber})` : message.callerNumber || '?',
        when: formatWhen(message.receivedAt, opts.timeZone, mailbox.language),
        timeZone: opts.timeZone,
        duration: formatDuration(message.durationMs),
        attachmentName: name,
      };
      return {
        from: opts.from,
        to: recipient,
        subject: template.subject(view).replace(/\s*\n\s*/g, ' ').trim(),
        text: template.text(view),
        date: new Date(message.receivedAt),
        messageId: `<voicemail-${message.id}-${outboxId}@${fromDomain}>`,
        attachments: [{ filename: name, path: wavPath, contentType: 'audio/wav' }],
      };
    },
  };
}
