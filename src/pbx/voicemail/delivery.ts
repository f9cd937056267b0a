/**
 * Voicemail e-mail delivery as one running part of `hookflash serve`: the SMTP transport, the
 * composer and the outbox worker, built from the global config. Without an SMTP URL nothing
 * runs and messages stay in the outbox as pending (visible in `hookflash mailbox outbox`).
 */
import type { Logger } from '../../log.js';
import type { Repositories } from '../../data/types.js';
import { createMailComposer } from './compose.js';
import { describeSmtpUrl, resolveMailConfig } from './config.js';
import { createOutboxWorker, type OutboxWorker } from './outbox-worker.js';
import { createSmtpTransport } from './smtp-transport.js';

export interface VoicemailDeliveryDeps {
  repos: Pick<Repositories, 'mailboxes' | 'voicemailMessages' | 'mailOutbox'>;
  dataDir: string;
  mail: { smtpUrl: string | null; from: string };
  timeZone: string;
  logger: Logger;
}

export interface RunningDelivery {
  worker: OutboxWorker;
  stop(): Promise<void>;
}

export function startVoicemailDelivery(deps: VoicemailDeliveryDeps): RunningDelivery | null {
  const log = deps.logger.child({ part: 'mail' });
  if (!deps.mail.smtpUrl) {
    log.info('voicemail e-mail off (no HOOKFLASH_SMTP_URL): messages are stored and stay pending');
    return null;
  }
  const mail = resolveMailConfig({ smtpUrl: deps.mail.smtpUrl, from: deps.mail.from, timeZone: deps.timeZone });
  const transport = createSmtpTransport(mail, log);
  const worker = createOutboxWorker({
    repos: deps.repos, transport, composer: createMailComposer({ from: mail.from, timeZone: mail.timeZone }),
    dataDir: deps.dataDir, logger: log, backoff: mail.backoff, pollMs: mail.pollMs,
  });
  worker.start();
  log.info({ smtp: describeSmtpUrl(mail.smtpUrl) }, 'voicemail e-mail delivery started');
  return {
    worker,
    async stop() {
      await worker.stop();
      transport.close();
    },
  };
}
