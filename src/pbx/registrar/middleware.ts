/**
 * The REGISTER middleware chain (jambonz style): parse → authenticate → terminal handler.
 * Parsed requests travel to the handler in a typed WeakMap, not an untyped locals bag.
 */
import type { Logger } from '../../log.js';
import type { AuthDecision, AuthCheck } from '../auth/guard.js';
import type { SrfMiddleware, SrfRequestLike, SrfResponseLike } from '../srf-types.js';
import { parseRegister, type RegisterRequest } from './register-request.js';

export interface RegisterRequests {
  set(req: SrfRequestLike, parsed: RegisterRequest): void;
  get(req: SrfRequestLike): RegisterRequest | undefined;
}

export function createRegisterRequests(): RegisterRequests {
  const parsed = new WeakMap<SrfRequestLike, RegisterRequest>();
  return { set: (req, value) => void parsed.set(req, value), get: (req) => parsed.get(req) };
}

/** Runs a middleware step; an unexpected error becomes a logged 500 instead of a stuck transaction. */
export function guarded(logger: Logger, name: string, step: SrfMiddleware): SrfMiddleware {
  return (req, res, next) => {
    try {
      step(req, res, next);
    } catch (err) {
      logger.error({ err, step: name, method: req.method, callId: req.get('Call-ID') }, `${name} failed`);
      if (!res.finalResponseSent) res.send(500);
    }
  };
}

export function parseRegisterStep(requests: RegisterRequests, logger: Logger): SrfMiddleware {
  return (req, res, next) => {
    const result = parseRegister({
      to: req.get('To'),
      contact: req.has('Contact') ? req.get('Contact') : undefined,
      expires: req.has('Expires') ? req.get('Expires') : undefined,
      callId: req.get('Call-ID'),
      cseq: req.get('CSeq'),
      userAgent: req.has('User-Agent') ? req.get('User-Agent') : undefined,
    });
    if (!result.ok) {
      logger.info({ ip: req.source_address, reason: result.reason }, `REGISTER refused: ${result.reason}`);
      res.send(400, result.reason.replace(/[\r\n]/g, ' ').slice(0, 120));
      return;
    }
    requests.set(req, result.request);
    next();
  };
}

export interface AuthStepDeps {
  guard: { check(request: AuthCheck): AuthDecision };
  password: (username: string) => string | undefined;
  requests: RegisterRequests;
}

export function authenticateRegisterStep(deps: AuthStepDeps): SrfMiddleware {
  return (req: SrfRequestLike, res: SrfResponseLike, next) => {
    const parsed = deps.requests.get(req);
    const decision = deps.guard.check({
      ip: req.source_address,
      method: 'REGISTER',
      proxy: false,
      authorizationHeader: req.has('Authorization') ? req.get('Authorization') : undefined,
      requestUri: req.uri,
      password: deps.password,
      // An extension may only register its own bindings.
      ...(parsed === undefined ? {} : { actingAs: parsed.aorUser }),
    });
    switch (decision.action) {
      case 'allow':
        next();
        return;
      case 'challenge':
        res.send(decision.status, { headers: { [decision.header]: decision.value } });
        return;
      case 'reject':
        res.send(decision.status, decision.status === 403 ? 'Forbidden' : 'Bad Request');
    }
  };
}
