/**
 * Delivers the mail outbox: one e-mail per (message, recipient) row, retried with exponential
 * backoff, state kept only in SQLite so a restart resumes where the last process stopped.
 *
 * Delivery is at-least-once, never "maybe zero": an attempt is counted (and the next attempt
 * scheduled) before the SMTP conversation starts, and the row is marked sent only after the
 * server accepted the message. If the process dies in the short window after the server's
 * "250 accepted" and before that UPDATE commits, the row is still pending and the recipient gets
 * the same e-mail once more after restart. Both copies carry the same Message-ID
 * (<voicemail-<message>-<row>@…>), so mail clients that de-duplicate by Message-ID show one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import type { Logger } from '../../log.js';
import type { OutboxEntry, Repositories } from '../../data/types.js';
import { backoffDelay, type BackoffConfig } from './config.js';
import type { MailComposer } from './compose.js';
import { systemClock, type Clock } from './store.js';

/** The part of a nodemailer Transporter the worker uses (tests may pass a real one to any server). */
export interface MailTransport {
  sendMail(options: SendMailOptions): Promise<{ accepted?: unknown[]; rejected?: unknown[]; response?: string }>;
}

export interface OutboxWorkerDeps {
  repos: Pick<Repositories, 'mailboxes' | 'voicemailMessages' | 'mailOutbox'>;
  transport: MailTransport;
  composer: MailComposer;
  /** Where message files live (VoicemailMessage.file is relative to it). */
  dataDir: string;
  logger: Logger;
  clock?: Clock;
  backoff: BackoffConfig;
  /** Longest sleep between looks at the table (rows added by other processes, e.g. the CLI). */
  pollMs?: number;
}

export interface OutboxWorker {
  start(): void;
  /** Stops scheduling and waits for the delivery in progress, if any. */
  stop(): Promise<void>;
  /** Delivers everything due now (e.g. right after a deposit); resolves when that pass ends. */
  kick(): Promise<void>;
}

export interface SmtpFailure {
  permanent: boolean;
  text: string;
}

/**
 * 5xx replies are permanent (the server said no for good); 4xx, connection errors and timeouts
 * are temporary. Authentication failures count as temporary: they are our configuration, and the
 * messages should go out once it is fixed rather than be given up on.
 */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = err as { responseCode?: unknown; code?: unknown; message?: unknown; response?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const detail = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? err);
  const text = [responseCode ?? code, detail].filter(Boolean).join(': ');
  const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600 && code !== 'EAUTH';
  return { permanent, text };
}

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { repos, transport, composer, logger, backoff } = deps;
  const clock = deps.clock ?? systemClock;
  const pollMs = deps.pollMs ?? 30_000;
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> | null = null;
  let passAgain = false;
  /** A kick delivers even when the worker is not started (one pass, e.g. from the CLI). */
  let kicked = false;

  async function deliver(row: OutboxEntry): Promise<void> {
    const message = repos.voicemailMessages.get(row.messageId);
    const wavPath = message ? join(deps.dataDir, message.file) : '';
    if (!message || !existsSync(wavPath)) {
      repos.mailOutbox.markFailed(row.id, message ? `recording file missing: ${message.file}` : 'message no longer exists');
      logger.error({ outboxId: row.id, messageId: row.messageId }, 'voicemail mail: nothing to send, marked failed');
      return;
    }
    // A removed mailbox keeps its messages: they are still delivered, in the mailbox's last shape.
    const mailbox = repos.mailboxes.get(message.box) ?? { box: message.box, name: message.box, language: 'en' as const };
    let attempt: OutboxEntry;
    try {
      attempt = repos.mailOutbox.beginAttempt(row.id, clock.now() + backoffDelay(backoff, row.attempts + 1));
    } catch {
      // Changed under us (e.g. `mailbox retry` from the CLI, or already sent): the next pass sees its new state.
      return;
    }
    try {
      const info = await transport.sendMail(composer.compose({ mailbox, message, recipient: row.recipient, wavPath, outboxId: row.id }));
      if (info.rejected?.length && !info.accepted?.length) {
        throw Object.assign(new Error(`recipient rejected: ${row.recipient}`), { responseCode: 550 });
      }
      repos.mailOutbox.markSent(row.id, clock.now());
      logger.info({ outboxId: row.id, messageId: message.id, box: message.box, attempts: attempt.attempts }, 'voicemail mail accepted by SMTP server');
    } catch (err) {
      const failure = classifySmtpError(err);
      if (failure.permanent || attempt.attempts >= backoff.maxAttempts) {
        const why = failure.permanent ? failure.text : `gave up after ${attempt.attempts} attempts: ${failure.text}`;
        repos.mailOutbox.markFailed(row.id, why);
        logger.error({ outboxId: row.id, messageId: message.id, error: why }, 'voicemail mail failed permanently');
      } else {
        const retryAt = clock.now() + backoffDelay(backoff, attempt.attempts);
        repos.mailOutbox.markRetry(row.id, failure.text, retryAt);
        logger.warn({ outboxId: row.id, messageId: message.id, attempts: attempt.attempts, retryAt, error: failure.text }, 'voicemail mail deferred');
      }
    }
  }

  async function runPass(): Promise<void> {
    do {
      passAgain = false;
      for (;;) {
        const rows = repos.mailOutbox.due(clock.now(), 20);
        if (rows.length === 0) break;
        // One at a time: a small office's mail volume needs no parallel SMTP connections. Each
        // row keeps its own backoff, so a down server sees one attempt per row per delay, spread out.
        for (const row of rows) {
          if (!started && !kicked) return;
          await deliver(row);
        }
      }
    } while (passAgain);
  }

  function schedule(): void {
    if (!started) return;
    if (timer) clearTimeout(timer);
    const next = repos.mailOutbox.nextDueAt();
    const delay = next === null ? pollMs : Math.max(0, Math.min(pollMs, next - clock.now()));
    timer = setTimeout(() => {
      timer = null;
      void runNow();
    }, delay);
    timer.unref?.();
  }

  function runNow(): Promise<void> {
    if (pass) {
      passAgain = true;
      return pass;
    }
    pass = runPass()
      .catch((err: unknown) => logger.error({ err }, 'voicemail mail: outbox pass failed'))
      .finally(() => {
        pass = null;
        kicked = false;
        schedule();
      });
    return pass;
  }

  return {
    start() {
      if (started) return;
      started = true;
      logger.info({ backoff }, 'voicemail mail outbox worker started');
      void runNow();
    },
    async stop() {
      started = false;
      kicked = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await pass;
    },
    kick() {
      kicked = true;
      return runNow();
    },
  };
}
