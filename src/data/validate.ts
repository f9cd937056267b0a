import { ValidationError } from '../errors.js';

/** Shared field rules: the repositories enforce them so no caller can store bad data. */

export const EXTENSION_NUMBER = /^\d{2,4}$/;
export const MAX_DISPLAY_NAME = 64;
export const MIN_SIP_PASSWORD = 8;
export const MAX_SIP_PASSWORD = 128;
export const MAX_LABEL = 64;
export const MAX_EMAILS = 20;
// Deliberately basic: one @, no spaces, a dot in the domain. Real checking is delivery.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function checkExtensionNumber(value: unknown, field = 'number'): string {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!EXTENSION_NUMBER.test(text)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(value)} is not an extension number (expected 2–4 digits, e.g. "102")`,
      field,
    );
  }
  return text;
}

export function checkDisplayName(value: unknown, field = 'displayName'): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0 || [...text].length > MAX_DISPLAY_NAME || CONTROL_CHARS.test(text)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(value)} is not allowed: expected 1–${MAX_DISPLAY_NAME} characters without control characters`,
      field,
    );
  }
  return text;
}

export function checkSipPassword(value: unknown, field = 'sipPassword'): string {
  // The value itself is never quoted: it is a secret.
  if (typeof value !== 'string' || value.length < MIN_SIP_PASSWORD || value.length > MAX_SIP_PASSWORD) {
    throw new ValidationError(
      `${field} is not allowed: expected ${MIN_SIP_PASSWORD}–${MAX_SIP_PASSWORD} characters ` +
        '(weak SIP passwords are guessed by scanners within hours)',
      field,
    );
  }
  if (CONTROL_CHARS.test(value) || /\s/.test(value)) {
    throw new ValidationError(`${field} is not allowed: it must not contain spaces or control characters`, field);
  }
  return value;
}

export function checkEmail(value: unknown, field = 'email'): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!EMAIL.test(text) || text.length > 254) {
    throw new ValidationError(
      `${field} ${JSON.stringify(value)} is not an e-mail address (expected name@example.com)`,
      field,
    );
  }
  return text;
}

export function checkEmails(values: unknown, field = 'emails'): string[] {
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new ValidationError(`${field} must be a list of e-mail addresses`, field);
  if (values.length > MAX_EMAILS) throw new ValidationError(`${field}: at most ${MAX_EMAILS} e-mail addresses`, field);
  const out: string[] = [];
  values.forEach((v, i) => {
    const email = checkEmail(v, `${field}[${i}]`);
    if (!out.some((e) => e.toLowerCase() === email.toLowerCase())) out.push(email);
  });
  return out;
}

export function checkLabel(value: unknown, field = 'label'): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value.trim() : '';
  if (typeof value !== 'string' || [...text].length > MAX_LABEL || CONTROL_CHARS.test(text)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(value)} is not allowed: expected up to ${MAX_LABEL} characters without control characters`,
      field,
    );
  }
  return text;
}

export function checkModelId(value: unknown, field = 'model'): string {
  if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/.test(value)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(value)} is not a model id (expected lowercase letters/digits, e.g. "spa303")`,
      field,
    );
  }
  return value;
}

export function checkRegion(value: unknown, field = 'region'): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^[a-z]{2}$/.test(value)) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not a region id (expected two lowercase letters, e.g. "pl")`, field);
  }
  return value;
}

export function checkOptionalSeconds(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 10) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not allowed: expected seconds between 0 and 10`, field);
  }
  return value;
}
