/** Helpers every /api/ route module uses: the audit row of a token's change, and 404 lookups. */
import type { FastifyRequest } from 'fastify';
import type { Extension } from '../data/types.js';
import { NotFoundError } from '../errors.js';
import type { WebContext } from './context.js';

export interface ApiCommon {
  /** Writes an audit row for a change made with an API token. */
  audit(request: FastifyRequest, action: string, target: string, before?: unknown, after?: unknown): void;
  /** The extension, or a 404 naming the `number` field. */
  extension(number: string): Extension;
}

export function apiCommon(ctx: WebContext): ApiCommon {
  return {
    audit: (request, action, target, before, after) => ctx.audit.record(request.apiActor ?? 'token:?', action, target, before, after),
    extension(number) {
      const e = ctx.repos.extensions.get(number);
      if (!e) throw new NotFoundError(`extension ${number} does not exist`, 'number');
      return e;
    },
  };
}
