/**
 * The provisioning URL scheme, shared by the HTTP and TFTP routes and the profiles that point
 * devices at it:
 *   /<model>.cfg                    bootstrap (what a factory-reset device asks for: /spa$PSN.cfg)
 *   /spa/<mac>.xml                  per-MAC profile on the plain URL (bootstrap's Profile_Rule, with $MA)
 *   /spa/d/<token>/<mac>.xml        per-device secret profile (per-MAC profile's Profile_Rule)
 *   /spa/r/<token>/<mac>.xml        Report_Rule upload (POST over HTTP)
 *   /firmware/<file>                firmware images (Upgrade_Rule), HTTP and TFTP
 */
import { ValidationError } from '../errors.js';

export interface UrlEnv {
  publicHost: string;
  httpPort: number;
}

export type ProvisioningPath =
  | { kind: 'bootstrap'; file: string }
  | { kind: 'plain'; mac: string }
  | { kind: 'secret'; token: string; mac: string }
  | { kind: 'report'; token: string; mac: string }
  | { kind: 'firmware'; file: string }
  | { kind: 'unknown' };

const TOKEN = /^[A-Za-z0-9_-]{8,128}$/;

function base(env: UrlEnv): string {
  const host = env.publicHost.includes(':') && !env.publicHost.startsWith('[') ? `[${env.publicHost}]` : env.publicHost;
  return env.httpPort === 80 ? `http://${host}` : `http://${host}:${env.httpPort}`;
}

function checkToken(token: string): string {
  if (!TOKEN.test(token)) throw new ValidationError('provisioning token must be 8–128 characters of A-Z a-z 0-9 _ -', 'provisioningToken');
  return token;
}

/** Bootstrap Profile_Rule: the device substitutes its MAC for $MA (lowercase, no separators). */
export function bootstrapProfileRule(env: UrlEnv): string {
  return `${base(env)}/spa/$MA.xml`;
}

export function secretProfileRule(env: UrlEnv, token: string): string {
  return `${base(env)}/spa/d/${checkToken(token)}/$MA.xml`;
}

export function reportRule(env: UrlEnv, token: string): string {
  return `${base(env)}/spa/r/${checkToken(token)}/$MA.xml`;
}

export function firmwareUrl(env: UrlEnv, file: string): string {
  if (!SAFE_FILE.test(file)) throw new ValidationError(`firmware file name "${file}" is not a plain file name`, 'file');
  return `${base(env)}/firmware/${file}`;
}

/** The plain per-MAC path for a given MAC (what the bootstrap rule expands to). */
export function plainProfilePath(mac: string): string {
  return `/spa/${mac.toLowerCase()}.xml`;
}

export function secretProfilePath(token: string, mac: string): string {
  return `/spa/d/${checkToken(token)}/${mac.toLowerCase()}.xml`;
}

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._()+-]*$/;
const BOOTSTRAP = /^([a-z0-9][a-z0-9_-]*\.cfg)$/i;
const PLAIN = /^spa\/([0-9a-f]{12})\.xml$/i;
const SECRET = /^spa\/d\/([A-Za-z0-9_-]{8,128})\/([0-9a-f]{12})\.xml$/i;
const REPORT = /^spa\/r\/([A-Za-z0-9_-]{8,128})\/([0-9a-f]{12})\.xml$/i;
const FIRMWARE = /^firmware\/([A-Za-z0-9][A-Za-z0-9._()+-]*)$/i;

/**
 * Classifies a request path from either transport. Case-insensitive, with or without a leading
 * slash; a query string is ignored. Anything with "..", a backslash, NUL or "%" (encoded
 * tricks) is unknown, so transports can 404 it without further checks. Bootstrap file names
 * are returned lowercase; match them against each model's bootstrapFiles.
 */
export function classifyProvisioningPath(rawPath: string): ProvisioningPath {
  const q = rawPath.search(/[?#]/);
  const path = (q >= 0 ? rawPath.slice(0, q) : rawPath);
  if (path.length > 512 || /\.\.|\\|\0|%/.test(path)) return { kind: 'unknown' };
  const p = path.replace(/^\/+/, '');
  let m: RegExpExecArray | null;
  if ((m = PLAIN.exec(p))) return { kind: 'plain', mac: m[1]!.toLowerCase() };
  if ((m = SECRET.exec(p))) return { kind: 'secret', token: m[1]!, mac: m[2]!.toLowerCase() };
  if ((m = REPORT.exec(p))) return { kind: 'report', token: m[1]!, mac: m[2]!.toLowerCase() };
  if ((m = FIRMWARE.exec(p))) return { kind: 'firmware', file: m[1]! };
  if ((m = BOOTSTRAP.exec(p))) return { kind: 'bootstrap', file: m[1]!.toLowerCase() };
  return { kind: 'unknown' };
}
