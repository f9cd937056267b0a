import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino masks wherever they appear in a log object. Secrets never reach a log line:
 * SIP passwords, admin passwords, provisioning tokens, control secrets, session cookies.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'sipPassword', '*.sipPassword', 'adminPassword', '*.adminPassword',
  'provisioningToken', '*.provisioningToken', 'secret', '*.secret', 'token', '*.token',
  'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'headers.authorization', 'headers.cookie', 'pin', '*.pin',
];

export interface LogOptions {
  level?: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to assert on log output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { app: 'hookflash' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that writes nothing: for unit tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
