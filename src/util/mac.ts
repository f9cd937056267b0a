import { ValidationError } from '../errors.js';
import type { Mac } from '../data/types.js';

export const ACCEPTED_MAC_FORMS =
  '0011223344aa, 00:11:22:33:44:aa, 00-11-22-33-44-aa, 0011.2233.44aa (any case)';

const PLAIN = /^[0-9a-f]{12}$/;
const SEPARATED = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/;
const CISCO_DOTTED = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/;

/** Normalises any accepted spelling of a MAC address to 12 lowercase hex digits. */
export function parseMac(input: string): Mac {
  const text = String(input).trim().toLowerCase();
  if (PLAIN.test(text)) return text;
  if (SEPARATED.test(text) || CISCO_DOTTED.test(text)) return text.replace(/[:.-]/g, '');
  throw new ValidationError(
    `mac ${JSON.stringify(String(input))} is not a MAC address (accepted: ${ACCEPTED_MAC_FORMS})`,
    'mac',
  );
}

/** True when input is an accepted MAC spelling; never throws. */
export function isMac(input: string): boolean {
  try {
    parseMac(input);
    return true;
  } catch {
    return false;
  }
}

export type MacFormat = 'colon' | 'upper' | 'plain';

/** colon: 00:11:22:33:44:aa, upper: 0011223344AA (as SPA firmware prints $MA), plain: 0011223344aa. */
export function formatMac(mac: Mac, format: MacFormat = 'colon'): string {
  const plain = parseMac(mac);
  switch (format) {
    case 'colon':
      return plain.match(/../g)!.join(':');
    case 'upper':
      return plain.toUpperCase();
    case 'plain':
      return plain;
  }
}
