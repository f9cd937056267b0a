import { migration001 } from './001-initial.js';
import type { Migration } from './types.js';

export type { Migration };

/**
 * Every schema step in order. Add a new file NNN-name.ts and append it here; never edit
 * a migration that has shipped (databases in the field already ran it).
 */
export const migrations: readonly Migration[] = [migration001];
