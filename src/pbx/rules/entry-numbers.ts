/**
 * Validation of entry numbers (business-hours routing), for the admin UI, the API and the
 * data layer: a stored entry is compiled once, so a bad schedule fails when saved, not when
 * a customer calls.
 */
import { ValidationError } from '../../errors.js';
import type { EntryNumber } from '../types.js';
import { checkDestination } from './forwarding.js';
import { compileSchedule } from './schedule.js';

const NUMBER = /^\d{2,6}$/;

export function checkEntryNumber(value: unknown): EntryNumber {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof raw.number !== 'string' || !NUMBER.test(raw.number)) {
    throw new ValidationError(`entry number: number ${JSON.stringify(raw.number)} is not a number of 2–6 digits`, 'number');
  }
  const where = `entry number ${raw.number}`;
  const inHours = checkDestination(raw.inHours, `${where}: inHours`);
  const afterHours = checkDestination(raw.afterHours, `${where}: afterHours`);
  return { number: raw.number, schedule: compileSchedule(raw.schedule), inHours, afterHours };
}
