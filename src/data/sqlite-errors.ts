import { ConflictError, ValidationError } from '../errors.js';

/**
 * Repositories check uniqueness and references before writing, but another process (the CLI
 * while `serve` runs) can win the race between check and write. SQLite's constraints still
 * hold; this turns their errors into the same clear errors the checks would have given.
 */
export function mapConstraintError(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown })?.code;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new ConflictError(`${what} already exists`);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ValidationError(`${what}: a referenced extension or device no longer exists`);
  }
  return err;
}
