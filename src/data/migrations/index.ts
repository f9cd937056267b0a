import { migration001 } from './001-initial.js';
import { migration002 } from './002-pbx.js';
import { migration003 } from './003-web.js';
import { migration004 } from './004-voicemail.js';
import { migration005 } from './005-voicemail-listening.js';
import { migration006 } from './006-queues.js';
import { migration007 } from './007-cdr-dispositions.js';
import type { Migration } from './types.js';

export type { Migration };

/**
 * Every schema step in order. Add a new file NNN-name.ts and append it here; never edit
 * a migration that has shipped (databases in the field already ran it).
 */
export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007];
