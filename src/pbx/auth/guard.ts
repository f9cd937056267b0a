/**
 * One authentication decision for a SIP request (REGISTER, or INVITE from an extension):
 * lockout first, then digest, then "is the authenticated user the one the request speaks
 * for". The drachtio middleware only maps the decision onto a response.
 */
import type { Logger } from '../../log.js';
import { countsTowardLockout, type DigestAuthenticator } from './digest.js';
import type { Lockout } from './lockout.js';

export type AuthDecision =
  | { action: 'allow'; username: string }
  /** Send `status` (401 or 407) with `header: value`. */
  | { action: 'challenge'; status: 401 | 407; header: string; value: string }
  | { action: 'reject'; status: 400 | 403; reason: string };

export interface AuthCheck {
  /** Source address of the request. */
  ip: string;
  method: string;
  /** 401/WWW-Authenticate for REGISTER; 407/Proxy-Authenticate for INVITE and others. */
  proxy: boolean;
  authorizationHeader: string | undefined;
  requestUri?: string;
  password: (username: string) => string | undefined;
  /**
   * The user the request acts for (To user of a REGISTER, From user of an INVITE): an
   * extension may only register or call as itself.
   */
  actingAs?: string;
}

export interface AuthGuardDeps {
  digest: DigestAuthenticator;
  lockout: Lockout;
  logger: Logger;
}

export interface AuthGuard {
  check(request: AuthCheck): AuthDecision;
}

export function createAuthGuard(deps: AuthGuardDeps): AuthGuard {
  const { digest, lockout, logger } = deps;

  function challenge(proxy: boolean, stale: boolean): AuthDecision {
    const c = digest.challenge({ proxy, stale });
    return { action: 'challenge', status: proxy ? 407 : 401, header: c.header, value: c.value };
  }

  function check(request: AuthCheck): AuthDecision {
    const { ip, method, proxy } = request;
    if (lockout.isBlocked(ip)) {
      return { action: 'reject', status: 403, reason: 'address blocked after repeated failed authentications' };
    }
    const result = digest.verify({
      method, authorizationHeader: request.authorizationHeader, password: request.password,
      ...(request.requestUri === undefined ? {} : { requestUri: request.requestUri }),
    });
    if (result.ok) {
      if (request.actingAs !== undefined && request.actingAs !== result.username) {
        logger.warn({ ip, method, username: result.username, actingAs: request.actingAs },
          `SIP auth: ${result.username} authenticated but the ${method} is for ${request.actingAs}; refused`);
        return { action: 'reject', status: 403, reason: `authenticated as ${result.username}, not ${request.actingAs}` };
      }
      lockout.recordSuccess(ip);
      return { action: 'allow', username: result.username };
    }
    if (result.reason === 'missing') return challenge(proxy, false);
    if (result.stale) return challenge(proxy, true);
    const fields = { ip, method, reason: result.reason, username: result.username, detail: result.detail };
    if (result.reason === 'malformed') {
      logger.warn(fields, `SIP auth: malformed credentials from ${ip}: ${result.detail ?? 'unreadable'}`);
      return { action: 'reject', status: 400, reason: `bad credentials: ${result.detail ?? 'unreadable'}` };
    }
    logger.info(fields, `SIP auth failed from ${ip} (${result.reason}${result.username ? `, user ${result.username}` : ''})`);
    if (countsTowardLockout(result) && lockout.recordFailure(ip)) {
      return { action: 'reject', status: 403, reason: 'address blocked after repeated failed authentications' };
    }
    return challenge(proxy, false);
  }

  return { check };
}
