/**
 * Voicemail and mail settings, owned here until the global config (src/config.ts) carries
 * them: `resolveMailConfig` applies defaults and HOOKFLASH_SMTP_URL, and validates.
 */
import { ConfigError } from '../../errors.js';

export interface BackoffConfig {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any single delay. */
  maxMs: number;
  /** Growth per attempt (2 = doubling). */
  factor: number;
  /** Attempts (the first send included) before a temporary failure becomes permanent. */
  maxAttempts: number;
}

export interface MailConfig {
  /** smtp://user:pass@host:587 or smtps://…; null = e-mail disabled (messages still stored). */
  smtpUrl: string | null;
  from: string;
  /** IANA zone for "when" in e-mails and attachment names. */
  timeZone: string;
  backoff: BackoffConfig;
  /** How often the worker looks at the table when nothing is scheduled (rows from other processes). */
  pollMs: number;
  /** Per-connection timeout towards the SMTP server. */
  connectionTimeoutMs: number;
  /** Pending this long (since deposit) counts as a problem for the dashboard. */
  problemPendingMs: number;
}

export interface VoicemailConfig {
  /** Longest recording kept, in seconds. */
  maxMessageSeconds: number;
  /** Delete delivered messages (every recipient accepted) after this many days; null = keep. */
  retentionDays: number | null;
}

/** Roughly 1 min, 2, 4, … capped at 1 h; 20 attempts ≈ 17 hours of trying before giving up. */
export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 60_000, maxMs: 3_600_000, factor: 2, maxAttempts: 20 };

export const DEFAULT_MAIL_CONFIG: MailConfig = {
  smtpUrl: null,
  from: 'Hookflash <voicemail@localhost>',
  timeZone: 'Europe/Warsaw',
  backoff: DEFAULT_BACKOFF,
  pollMs: 30_000,
  connectionTimeoutMs: 15_000,
  problemPendingMs: 15 * 60_000,
};

export const DEFAULT_VOICEMAIL_CONFIG: VoicemailConfig = { maxMessageSeconds: 180, retentionDays: null };

export interface MailConfigInput extends Partial<Omit<MailConfig, 'backoff'>> {
  backoff?: Partial<BackoffConfig>;
}

function positive(value: number, field: string, min = 1): number {
  if (!Number.isFinite(value) || value < min) throw new ConfigError(`mail.${field} must be a number ≥ ${min}`, `mail.${field}`);
  return value;
}

/** Checks an SMTP URL without ever quoting it (it may hold a password). */
export function checkSmtpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('HOOKFLASH_SMTP_URL is not a URL (expected smtp://user:pass@host:587 or smtps://host:465)', 'mail.smtpUrl');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError(`HOOKFLASH_SMTP_URL must start with smtp:// or smtps:// (host ${parsed.hostname})`, 'mail.smtpUrl');
  }
  if (!parsed.hostname) throw new ConfigError('HOOKFLASH_SMTP_URL has no host', 'mail.smtpUrl');
  return url;
}

/** What may be logged about an SMTP URL: scheme, host and port, never the user or password. */
export function describeSmtpUrl(url: string | null): string {
  if (!url) return 'disabled';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'invalid URL';
  }
}

export function resolveMailConfig(input: MailConfigInput = {}, env: NodeJS.ProcessEnv = {}): MailConfig {
  const backoff = { ...DEFAULT_BACKOFF, ...input.backoff };
  positive(backoff.initialMs, 'backoff.initialMs');
  positive(backoff.maxMs, 'backoff.maxMs');
  positive(backoff.factor, 'backoff.factor');
  positive(backoff.maxAttempts, 'backoff.maxAttempts');
  const merged: MailConfig = { ...DEFAULT_MAIL_CONFIG, ...input, backoff };
  const envUrl = env.HOOKFLASH_SMTP_URL?.trim();
  if (envUrl) merged.smtpUrl = envUrl;
  if (merged.smtpUrl) checkSmtpUrl(merged.smtpUrl);
  try {
    new Intl.DateTimeFormat('en', { timeZone: merged.timeZone });
  } catch {
    throw new ConfigError(`mail.timeZone ${JSON.stringify(merged.timeZone)} is not an IANA time zone (e.g. "Europe/Warsaw")`, 'mail.timeZone');
  }
  positive(merged.pollMs, 'pollMs', 10);
  positive(merged.connectionTimeoutMs, 'connectionTimeoutMs', 100);
  return Object.freeze(merged);
}

/** Delay before attempt number `attempts + 1` given `attempts` already made (≥ 1). */
export function backoffDelay(backoff: BackoffConfig, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * Math.pow(backoff.factor, exponent)));
}
