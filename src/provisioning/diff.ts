export interface ParamChange {
  name: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

import { createHash } from 'node:crypto';

export const SECRET_PLACEHOLDER = '(secret)';

const FINGERPRINT_PREFIX = 'hookflash-sha256:';

/**
 * What is stored instead of a secret value in served snapshots: enough to tell "changed" from
 * "unchanged" in a diff, without a second copy of every line password in the database.
 * Idempotent, so a stored fingerprint compares equal to the value it came from.
 */
export function fingerprintSecret(value: string): string {
  if (value === '' || value.startsWith(FINGERPRINT_PREFIX)) return value;
  return FINGERPRINT_PREFIX + createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}

/** A parameter map with every secret value replaced by its fingerprint. */
export function fingerprintSecrets(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) out[name] = isSecretParam(name) ? fingerprintSecret(value) : value;
  return out;
}

/**
 * What changed between two parameter maps (e.g. last served vs. now, or reported vs. served),
 * sorted by name. Values of secretNames are replaced by "(secret)", so the result can be shown
 * and logged; a changed secret still shows up as changed. Secrets are compared by fingerprint,
 * so a snapshot that stored fingerprints (fingerprintSecrets) diffs correctly against real values.
 */
export function diffParams(
  before: Record<string, string>,
  after: Record<string, string>,
  secretNames: string[],
): ParamChange[] {
  const secret = new Set(secretNames);
  const show = (name: string, v: string) => (secret.has(name) ? SECRET_PLACEHOLDER : v);
  const comparable = (name: string, v: string) => (secret.has(name) ? fingerprintSecret(v) : v);
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: ParamChange[] = [];
  for (const name of [...names].sort()) {
    const has0 = Object.hasOwn(before, name);
    const has1 = Object.hasOwn(after, name);
    if (has0 && !has1) changes.push({ name, change: 'removed', before: show(name, before[name]!) });
    else if (!has0 && has1) changes.push({ name, change: 'added', after: show(name, after[name]!) });
    else if (comparable(name, before[name]!) !== comparable(name, after[name]!)) {
      changes.push({ name, change: 'changed', before: show(name, before[name]!), after: show(name, after[name]!) });
    }
  }
  return changes;
}

const SECRET_NAME = /^(Password_\d+_|Admin_Passwd|User_Password|Web_Login_Admin_Password|Web_Login_Guest_Password|Profile_Rule(_[BCD])?|Report_Rule|GPP_S[A-D]|Directory_Password|LDAP_Password|EM_(Mobile|Phone)_Password|PSK_\d+)$/;

/** Names whose values are secrets (passwords, and the rules that carry the device token). */
export function isSecretParam(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function secretParamNames(params: Record<string, string>): string[] {
  return Object.keys(params).filter(isSecretParam);
}
