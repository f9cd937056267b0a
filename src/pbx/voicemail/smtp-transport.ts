/** The real nodemailer transport for the configured SMTP URL; logs the host only, never the password. */
import nodemailer from 'nodemailer';
import type { Logger } from '../../log.js';
import { ConfigError } from '../../errors.js';
import { checkSmtpUrl, describeSmtpUrl, type MailConfig } from './config.js';
import type { MailTransport } from './outbox-worker.js';

export interface SmtpTransport extends MailTransport {
  close(): void;
}

export function createSmtpTransport(mail: Pick<MailConfig, 'smtpUrl' | 'connectionTimeoutMs'>, logger: Logger): SmtpTransport {
  if (!mail.smtpUrl) throw new ConfigError('voicemail e-mail needs an SMTP server: set HOOKFLASH_SMTP_URL (e.g. smtp://user:pass@host:587)', 'mail.smtpUrl');
  const url = checkSmtpUrl(mail.smtpUrl);
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: mail.connectionTimeoutMs,
    greetingTimeout: mail.connectionTimeoutMs,
    socketTimeout: mail.connectionTimeoutMs * 4,
    // nodemailer must not log on its own: its debug output would include the AUTH exchange.
    logger: false,
    debug: false,
  });
  logger.info({ smtp: describeSmtpUrl(url) }, 'voicemail mail: SMTP transport ready');
  return {
    sendMail: (options) => transporter.sendMail(options),
    close: () => transporter.close(),
  };
}
