/**
 * The first check on a requested file name, before it is classified or goes anywhere
 * near the filesystem. Real SPA firmware asks for plain ASCII names such as
 * `/spa303.cfg` or `/spa/0011223344aa.xml`; anything else that looks like a way out of
 * the served tree is refused outright, with the reason.
 */
export type NameCheck = { ok: true } | { ok: false; reason: string };

const MAX_NAME_LENGTH = 255;
const OK: NameCheck = { ok: true };

/** What every legitimate name looks like; such names skip the detailed checks below. */
const PLAIN_NAME = /^\/?[A-Za-z0-9_()+-][A-Za-z0-9._()+-]*(?:\/[A-Za-z0-9_()+-][A-Za-z0-9._()+-]*)*$/;

export function checkRequestedName(name: string): NameCheck {
  if (name.length <= MAX_NAME_LENGTH && PLAIN_NAME.test(name) && !name.includes('..')) return OK;
  if (name.length === 0) return { ok: false, reason: 'empty file name' };
  if (name.length > MAX_NAME_LENGTH) return { ok: false, reason: `file name longer than ${MAX_NAME_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, reason: 'control character (e.g. NUL) in file name' };
  if (/[^\u0020-\u007e]/.test(name)) return { ok: false, reason: 'non-ASCII character in file name' };
  if (name.includes('\\')) return { ok: false, reason: 'backslash in file name (path traversal)' };
  // Our names never need escapes; %2e%2e and friends are how traversal hides from naive checks.
  if (name.includes('%')) return { ok: false, reason: 'percent-encoded character in file name' };
  if (name.includes(':')) return { ok: false, reason: 'colon in file name (drive letter or URL)' };
  if (name.startsWith('//')) return { ok: false, reason: 'absolute path in file name' };
  const segments = (name.startsWith('/') ? name.slice(1) : name).split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, reason: '"." or ".." segment in file name (path traversal)' };
  if (segments.some((s) => s === '')) return { ok: false, reason: 'empty path segment in file name' };
  return { ok: true };
}
