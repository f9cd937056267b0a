/**
 * Mailbox PINs are short and guessable, so they are stored only as scrypt hashes (the same
 * stored form as web passwords: "scrypt$N$r$p$salt$hash"). The PIN is never logged.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../errors.js';

const KEY_LENGTH = 32;
/** 16 MiB per hash: a PIN is checked once per call, so cost is cheap for us, dear for a thief. */
const COST = { N: 2 ** 14, r: 8, p: 1 };

function scrypt(pin: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(pin, salt, KEY_LENGTH, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** 4–10 digits: what a phone keypad can enter; the value is never echoed back. */
export function checkPin(pin: unknown): string {
  if (typeof pin !== 'string' || !/^\d{4,10}$/.test(pin)) throw new ValidationError('PIN must be 4–10 digits', 'pin');
  return pin;
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(checkPin(pin), salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scrypt(pin, Buffer.from(parts[4]!, 'base64'), { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
