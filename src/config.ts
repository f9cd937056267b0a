/**
 * Loads the one validated, frozen Config: config/default.json → --config FILE (or
 * HOOKFLASH_CONFIG) → HOOKFLASH_* environment variables → programmatic overrides.
 * Every value is checked against a hand-written schema; anything wrong stops start-up
 * with a message naming the key, the value, what is allowed and which layer it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import type { Config } from './config-types.js';
import { ConfigError } from './errors.js';

export type { Config };
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface LoadConfigOptions {
  /** --config FILE; wins over env HOOKFLASH_CONFIG. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: DeepPartial<Config>;
  /** Base for relative paths (dataDir, config file). Default process.cwd(). */
  cwd?: string;
  /** The defaults file; default config/default.json of this package. */
  defaultsFile?: string;
}

/** The environment contract used by scripts outside the repository. */
export const ENV_VARS: Readonly<Record<string, string>> = {
  HOOKFLASH_DATA_DIR: 'dataDir',
  HOOKFLASH_PUBLIC_HOST: 'publicHost',
  HOOKFLASH_HTTP_PORT: 'http.port',
  HOOKFLASH_TFTP_PORT: 'tftp.port',
  HOOKFLASH_SIP_PORT: 'sip.port',
  HOOKFLASH_LOG_LEVEL: 'log.level',
  HOOKFLASH_SMTP_URL: 'mail.smtpUrl',
};

/** Values never echoed in error messages: an SMTP URL may hold a password, an external sip.server object holds the control secret. */
function holdsSecret(keyPath: string, value: unknown): boolean {
  return keyPath === 'mail.smtpUrl' || (keyPath === 'sip.server' && typeof value === 'object' && value !== null);
}

type Raw = unknown;
/** A leaf check: returns the (coerced) value or a description of what is allowed. */
type Leaf = (value: Raw, fromEnv: boolean) => { ok: true; value: unknown } | { ok: false; expected: string };
interface Branch { [key: string]: Node }
type Node = Leaf | Branch;

const ok = (value: unknown) => ({ ok: true as const, value });
const bad = (expected: string) => ({ ok: false as const, expected });

function integer(min: number, max: number): Leaf {
  const expected = `an integer ${min}–${max}`;
  return (v, fromEnv) => {
    const n = fromEnv && typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? ok(n) : bad(expected);
  };
}
const port = integer(0, 65535);

const boolean: Leaf = (v, fromEnv) => {
  if (typeof v === 'boolean') return ok(v);
  if (fromEnv && typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return ok(true);
    if (['false', '0', 'no', 'off'].includes(s)) return ok(false);
  }
  return bad('true or false');
};

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
function isHost(v: unknown): v is string {
  return typeof v === 'string' && (HOST.test(v) || ipaddr.isValid(v));
}
const host: Leaf = (v) => (isHost(v) ? ok(v) : bad('a host name or IP address'));
const nullableHost: Leaf = (v) => (v === null || isHost(v) ? ok(v) : bad('a host name, an IP address or null'));

function oneOf(values: readonly string[]): Leaf {
  return (v) => (typeof v === 'string' && values.includes(v) ? ok(v) : bad(`one of ${values.join(', ')}`));
}

const nonEmptyString: Leaf = (v) => (typeof v === 'string' && v.trim() !== '' ? ok(v) : bad('a non-empty string'));

const timezone: Leaf = (v) => {
  if (typeof v !== 'string' || v === '') return bad('an IANA time zone such as Europe/Warsaw');
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return ok(v);
  } catch {
    return bad('an IANA time zone such as Europe/Warsaw');
  }
};

const cidrList: Leaf = (v) => {
  const expected = 'a list of CIDRs such as ["192.168.1.0/24", "::1/128"]';
  if (!Array.isArray(v)) return bad(expected);
  for (const item of v) {
    if (typeof item !== 'string') return bad(expected);
    try {
      ipaddr.parseCIDR(item);
    } catch {
      return bad(`${expected}; ${JSON.stringify(item)} is not a CIDR`);
    }
  }
  return ok([...v]);
};

const sipServer: Leaf = (v) => {
  const expected = '"embedded" or {"host": "<host>", "port": <1–65535>, "secret": "<non-empty>"}';
  if (v === 'embedded') return ok(v);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(expected);
  const o = stripComments(v as Record<string, unknown>);
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'host,port,secret') return bad(expected);
  if (!isHost(o.host) || !Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535) return bad(expected);
  if (typeof o.secret !== 'string' || o.secret === '') return bad(expected);
  return ok({ host: o.host, port: o.port, secret: o.secret });
};

const smtpUrl: Leaf = (v) => {
  const expected = 'null or an smtp:// / smtps:// URL such as smtp://user:pass@mail.example.com:587';
  if (v === null) return ok(null);
  if (typeof v !== 'string') return bad(expected);
  try {
    const url = new URL(v);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname ? ok(v) : bad(expected);
  } catch {
    return bad(expected);
  }
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const SCHEMA: Branch = {
  dataDir: nonEmptyString,
  publicHost: nullableHost,
  log: { level: oneOf(LOG_LEVELS) },
  http: { host, port },
  tftp: { enabled: boolean, host, port },
  sip: {
    enabled: boolean,
    host,
    port,
    domain: nullableHost,
    server: sipServer,
    controlHost: host,
    controlPort: port,
    timers: { t1Ms: integer(1, 60_000), t2Ms: integer(1, 600_000), t4Ms: integer(0, 60_000) },
    maxMessageBytes: integer(1024, 1_048_576),
    maxHeaders: integer(10, 10_000),
  },
  provisioning: {
    allowCidrs: cidrList,
    resyncPeriodicSeconds: integer(0, 2_592_000),
    resyncErrorRetrySeconds: integer(0, 2_592_000),
    resyncRandomDelay: integer(0, 65_535),
    timezone,
    ntpServer: host,
    region: (v) => (typeof v === 'string' && /^[a-z]{2}$/.test(v) ? ok(v) : bad('two lowercase letters, e.g. "pl"')),
    maxReportBytes: integer(1024, 67_108_864),
    notFoundLimit: { max: integer(1, 100_000), windowSeconds: integer(1, 86_400), blockSeconds: integer(1, 86_400) },
  },
  mail: { smtpUrl, from: nonEmptyString },
  pbx: {
    enabled: boolean,
    realm: nullableHost,
    minExpiresS: integer(1, 86_400),
    maxExpiresS: integer(1, 604_800),
    defaultExpiresS: integer(1, 604_800),
    sweepIntervalS: integer(1, 86_400),
    nonceTtlS: integer(10, 86_400),
    lockout: {
      maxFailures: integer(1, 10_000), windowS: integer(1, 86_400), blockS: integer(1, 604_800), maxTracked: integer(100, 10_000_000),
    },
    voicemail: {
      accessNumber: (v) => (typeof v === 'string' && /^[*#]?\d{1,8}$/.test(v) ? ok(v) : bad('a dialable code such as "*97" or "500" (optional leading * or #, then 1–8 digits)')),
      maxMessageS: integer(5, 3600),
      minMessageS: integer(0, 60),
      silenceS: integer(1, 600),
      silenceThresholdDb: integer(-90, -10),
      pinAttempts: integer(1, 10),
      digitTimeoutS: integer(1, 60),
    },
  },
  media: {
    host: nullableHost,
    portRange: { min: integer(1024, 65_535), max: integer(1024, 65_535) },
    language: oneOf(['pl', 'en']),
  },
};

function stripComments(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('//')));
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Applies one layer onto target, validating every key and value it sets. */
function applyLayer(target: Record<string, unknown>, layer: unknown, schema: Branch, path: string, source: string, fromEnv: boolean): void {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
    throw new ConfigError(`config: ${path || '(top level)'} = ${show(layer)} is not allowed: expected an object (from ${source})`, path);
  }
  for (const [key, value] of Object.entries(layer as Record<string, unknown>)) {
    if (key.startsWith('//') || value === undefined) continue;
    const keyPath = path ? `${path}.${key}` : key;
    const node = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!node) {
      throw new ConfigError(
        `config: unknown key "${keyPath}" (from ${source}); known keys${path ? ` under ${path}` : ''}: ${Object.keys(schema).join(', ')}`,
        keyPath,
      );
    }
    if (typeof node === 'function') {
      const result = node(value, fromEnv);
      if (!result.ok) {
        const shown = holdsSecret(keyPath, value) ? '(value not shown: it may hold a secret)' : show(value);
        throw new ConfigError(`config: ${keyPath} = ${shown} is not allowed: expected ${result.expected} (from ${source})`, keyPath);
      }
      target[key] = result.value;
    } else {
      const child = (target[key] ??= {}) as Record<string, unknown>;
      applyLayer(child, value, node, keyPath, source, fromEnv);
    }
  }
}

/** The defaults file must set every key: a missing one would reach the code as undefined. */
function checkComplete(values: Record<string, unknown>, schema: Branch, path: string, source: string): void {
  for (const [key, node] of Object.entries(schema)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!Object.hasOwn(values, key)) throw new ConfigError(`config: ${keyPath} is missing from ${source}`, keyPath);
    if (typeof node !== 'function') checkComplete(values[key] as Record<string, unknown>, node, keyPath, source);
  }
}

function readJsonFile(file: string, what: string): unknown {
  if (!existsSync(file)) throw new ConfigError(`config: ${what} ${file} does not exist`);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config: ${what} ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** config/default.json next to this package: src/config.ts and dist/src/config.js both work. */
export function findDefaultsFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'config', 'default.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new ConfigError('config: cannot find config/default.json next to the Hookflash installation');
}

/**
 * First non-loopback IPv4 address of this machine, else 127.0.0.1. Link-local 169.254/16
 * addresses are skipped: they only appear when DHCP failed, and phones cannot reach them.
 */
export function detectPublicHost(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  return '127.0.0.1';
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const merged: Record<string, unknown> = {};

  const defaultsFile = opts.defaultsFile ?? findDefaultsFile();
  applyLayer(merged, readJsonFile(defaultsFile, 'defaults file'), SCHEMA, '', defaultsFile, false);
  checkComplete(merged, SCHEMA, '', defaultsFile);

  const fileFromEnv = env.HOOKFLASH_CONFIG && env.HOOKFLASH_CONFIG.trim() !== '' ? env.HOOKFLASH_CONFIG : undefined;
  const configFile = opts.configFile ?? fileFromEnv;
  if (configFile) {
    const file = resolve(cwd, configFile);
    const via = opts.configFile ? '--config' : 'HOOKFLASH_CONFIG';
    applyLayer(merged, readJsonFile(file, `config file (${via})`), SCHEMA, '', file, false);
  }

  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    // An empty variable counts as unset: `HOOKFLASH_SIP_PORT= cmd` is a common way to clear one.
    if (value === undefined || value.trim() === '') continue;
    const keys = path.split('.');
    const layer: Record<string, unknown> = {};
    let cursor = layer;
    keys.slice(0, -1).forEach((k) => (cursor = (cursor[k] = {}) as Record<string, unknown>));
    cursor[keys.at(-1)!] = value.trim();
    applyLayer(merged, layer, SCHEMA, '', `env ${name}`, true);
  }

  if (opts.overrides) applyLayer(merged, opts.overrides, SCHEMA, '', 'overrides', false);

  const config = merged as unknown as Config & { publicHost: string | null };
  const timers = config.sip.timers;
  if (timers.t2Ms < timers.t1Ms) {
    throw new ConfigError(
      `config: sip.timers.t2Ms = ${timers.t2Ms} is not allowed: expected an integer >= sip.timers.t1Ms (${timers.t1Ms})`,
      'sip.timers.t2Ms',
    );
  }
  const range = config.media.portRange;
  if (range.max < range.min + 1) {
    throw new ConfigError(
      `config: media.portRange.max = ${range.max} is not allowed: expected an integer >= media.portRange.min + 1 (${range.min + 1}), so at least one even RTP port fits`,
      'media.portRange.max',
    );
  }
  const vm = config.pbx.voicemail;
  if (vm.minMessageS >= vm.maxMessageS) {
    throw new ConfigError(
      `config: pbx.voicemail.minMessageS = ${vm.minMessageS} is not allowed: expected an integer below pbx.voicemail.maxMessageS (${vm.maxMessageS})`,
      'pbx.voicemail.minMessageS',
    );
  }
  config.dataDir = resolve(cwd, config.dataDir);
  if (config.publicHost === null) config.publicHost = detectPublicHost();
  return deepFreeze(config as Config);
}
