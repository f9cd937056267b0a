import { randomBytes, randomInt } from 'node:crypto';

/**
 * No 0/O, 1/l/I: passwords are read off a screen and typed into phone keypads or web
 * forms, so characters that look alike cause failed logins.
 */
export const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Length of SIP passwords Hookflash generates (extension add, rotation, imports). */
export const GENERATED_SIP_PASSWORD_LENGTH = 20;

/** A random password from an unambiguous alphabet (crypto RNG, no modulo bias). */
export function generatePassword(length = 20): string {
  if (!Number.isInteger(length) || length < 8 || length > 256) {
    throw new RangeError(`password length must be an integer 8–256, got ${length}`);
  }
  let out = '';
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** A 192-bit URL-safe random token (base64url, 32 chars) for secret provisioning URLs. */
export function generateToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
