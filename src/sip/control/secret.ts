/**
 * The control-port secret: random at first start, kept in the data dir (mode 0600) so the
 * PBX and operators can read it, and reused afterwards. Never logged.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_FILE_NAME = 'sip-control.secret';

export function secretPath(dataDir: string): string {
  return join(dataDir, SECRET_FILE_NAME);
}

export function loadOrCreateControlSecret(dataDir: string): string {
  const path = secretPath(dataDir);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length > 0) {
      // Tighten permissions an operator may have loosened; the secret controls every call.
      chmodSync(path, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}
