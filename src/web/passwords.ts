/**
 * Web account passwords: scrypt hashes (src/util/scrypt-hash.ts) at a cost that makes
 * brute force expensive.
 */
import { hashSecret, verifySecret, type ScryptCost } from '../util/scrypt-hash.js';

export type { ScryptCost };

/** 2^15 × 8 × 128 B = 32 MiB per hash: expensive to brute-force on GPUs, ~100 ms here. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

export function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  return hashSecret(password, cost);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return verifySecret(password, stored);
}

/** Hashes nothing real, so failed logins for unknown users take as long as for known ones. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  return (dummyHash ??= hashPassword('not-a-real-password', cost));
}
