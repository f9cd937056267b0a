/**
 * One table of error kinds. Expected outcomes (busy, no answer, not found while routing)
 * are values, not exceptions; these are for bad input and broken invariants, and each
 * carries a message that says what was wrong and where.
 */
export class HookflashError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status when it reaches a web/API client. */
    readonly status: number,
    /** The field, key or line the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends HookflashError {
  constructor(message: string, field?: string) {
    super('HF_VALIDATION', message, 400, field);
  }
}

export class NotFoundError extends HookflashError {
  constructor(message: string, field?: string) {
    super('HF_NOT_FOUND', message, 404, field);
  }
}

export class ConflictError extends HookflashError {
  constructor(message: string, field?: string) {
    super('HF_CONFLICT', message, 409, field);
  }
}

export class ConfigError extends HookflashError {
  constructor(message: string, field?: string) {
    super('HF_CONFIG', message, 500, field);
  }
}

export class ForbiddenError extends HookflashError {
  constructor(message: string) {
    super('HF_FORBIDDEN', message, 403);
  }
}
