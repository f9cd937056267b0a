/**
 * Mailbox PINs are short and guessable, so they are stored only as scrypt hashes (the same
 * stored form as web passwords, src/util/scrypt-hash.ts). The PIN is never logged.
 */
import { ValidationError } from '../../errors.js';
import { hashSecret, verifySecret } from '../../util/scrypt-hash.js';

/** 16 MiB per hash: a PIN is checked once per call, so cost is cheap for us, dear for a thief. */
const COST = { N: 2 ** 14, r: 8, p: 1 };

/** 4–10 digits: what a phone keypad can enter; the value is never echoed back. */
export function checkPin(pin: unknown): string {
  if (typeof pin !== 'string' || !/^\d{4,10}$/.test(pin)) throw new ValidationError('PIN must be 4–10 digits', 'pin');
  return pin;
}

/** Async throughout: a bad PIN is a rejected promise, like a hashing failure. */
export async function hashPin(pin: string): Promise<string> {
  return hashSecret(checkPin(pin), COST);
}

export function verifyPin(pin: string, stored: string): Promise<boolean> {
  return verifySecret(pin, stored);
}
