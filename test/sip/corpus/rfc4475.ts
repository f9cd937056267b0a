/** All RFC 4475 torture cases, in the RFC's order. */
import type { TortureCase } from './rfc4475-shared.js';
import { VALID_CASES } from './rfc4475-valid.js';
import { INVALID_CASES } from './rfc4475-invalid.js';
import { SEMANTIC_CASES } from './rfc4475-semantic.js';

export type { TortureCase } from './rfc4475-shared.js';
export const TORTURE_CASES: TortureCase[] = [...VALID_CASES, ...INVALID_CASES, ...SEMANTIC_CASES];
