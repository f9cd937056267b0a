import type { Database } from 'better-sqlite3';

/** One schema step. Applied once, in its own transaction, in version order. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
