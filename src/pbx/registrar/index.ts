/**
 * The registrar: REGISTER → parse → digest auth (with lock-out) → bindings in SQLite.
 * Expired bindings are ignored on read and deleted by a periodic sweep.
 */
import type { Logger } from '../../log.js';
import type { ExtensionRepository, RegistrationRepository } from '../../data/types.js';
import { createDigestAuthenticator } from '../auth/digest.js';
import { createLockout } from '../auth/lockout.js';
import { createAuthGuard, type AuthGuard } from '../auth/guard.js';
import type { PbxConfig } from '../config.js';
import type { PbxSrf } from '../srf-types.js';
import { createBindingService } from './bindings.js';
import { createContactFinder, type FindContacts } from './contacts.js';
import { createRegisterHandler } from './handler.js';
import { authenticateRegisterStep, createRegisterRequests, guarded, parseRegisterStep } from './middleware.js';

export type { ReachableContact, FindContacts } from './contacts.js';

/** A phone line registers one contact; a few more cover softphones and re-IP'd phones. */
export const MAX_BINDINGS_PER_EXTENSION = 10;

export interface RegistrarDeps {
  srf: PbxSrf;
  repos: {
    extensions: Pick<ExtensionRepository, 'get'>;
    registrations: RegistrationRepository;
    transaction<T>(fn: () => T): T;
  };
  config: PbxConfig;
  realm: string;
  logger: Logger;
  clock: () => number;
}

export interface Registrar {
  findContacts: FindContacts;
  /** The digest + lock-out guard; INVITE authentication shares it so all failures count together. */
  guard: AuthGuard;
  /** Deletes expired bindings now; returns how many. */
  sweep(): number;
  stop(): void;
}

export function createRegistrar(deps: RegistrarDeps): Registrar {
  const { srf, repos, config, logger, clock } = deps;
  const log = logger.child({ part: 'registrar' });
  const guard = createAuthGuard({
    digest: createDigestAuthenticator({ realm: deps.realm, nonceTtlMs: config.nonceTtlS * 1000, clock }),
    lockout: createLockout({
      maxFailures: config.lockout.maxFailures,
      windowMs: config.lockout.windowS * 1000,
      blockMs: config.lockout.blockS * 1000,
      maxTracked: config.lockout.maxTracked,
      clock,
      logger: log,
    }),
    logger: log,
  });
  const bindings = createBindingService({
    registrations: repos.registrations,
    transaction: (fn) => repos.transaction(fn),
    clock,
    limits: { ...config, maxBindingsPerExtension: MAX_BINDINGS_PER_EXTENSION },
  });
  const requests = createRegisterRequests();

  srf.use('register', [
    guarded(log, 'parse REGISTER', parseRegisterStep(requests, log)),
    guarded(log, 'authenticate REGISTER', authenticateRegisterStep({
      guard, requests, password: (username) => repos.extensions.get(username)?.sipPassword,
    })),
  ]);
  srf.register(createRegisterHandler({ bindings, requests, clock, logger: log }));

  function sweep(): number {
    const removed = bindings.sweep();
    if (removed > 0) log.debug({ removed }, `removed ${removed} expired registration(s)`);
    return removed;
  }
  const timer = setInterval(() => {
    try {
      sweep();
    } catch (err) {
      log.error({ err }, 'sweeping expired registrations failed');
    }
  }, config.sweepIntervalS * 1000);
  timer.unref();

  return {
    findContacts: createContactFinder({ registrations: repos.registrations, clock }),
    guard,
    sweep,
    stop: () => clearInterval(timer),
  };
}
