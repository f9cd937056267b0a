/**
 * What a REGISTER does to the stored bindings (RFC 3261 §10.3 steps 6–8), as values: 200
 * with the live bindings, 423 with the minimum, or a refusal. The SIP handler only maps the
 * outcome onto a response.
 */
import type { Registration, RegistrationRepository, SipTransport } from '../../data/types.js';
import type { RegisterRequest } from './register-request.js';

export type RegisterOutcome =
  | { status: 200; bindings: Registration[] }
  | { status: 423; minExpiresS: number }
  | { status: 400 | 403 | 500; reason: string };

export interface RegisterSource {
  address: string;
  port: number;
  /** As drachtio reports it ('udp', 'tcp', …). */
  protocol: string;
}

export interface BindingServiceDeps {
  registrations: RegistrationRepository;
  /** Runs fn atomically so a refused REGISTER changes nothing. */
  transaction: <T>(fn: () => T) => T;
  clock: () => number;
  limits: { minExpiresS: number; maxExpiresS: number; defaultExpiresS: number; maxBindingsPerExtension: number };
}

const TRANSPORTS: readonly SipTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export function normaliseTransport(protocol: string): SipTransport {
  const lower = String(protocol ?? '').toLowerCase();
  return (TRANSPORTS as readonly string[]).includes(lower) ? (lower as SipTransport) : 'udp';
}

export function createBindingService(deps: BindingServiceDeps) {
  const { registrations, clock, limits } = deps;

  /** RFC 3261 §10.3 step 7: a lower or equal CSeq in the same Call-ID is an old, reordered request. */
  function isOutOfOrder(existing: Registration | undefined, request: RegisterRequest): boolean {
    return existing !== undefined && existing.callId === request.callId && existing.cseq >= request.cseq;
  }

  function apply(extension: string, request: RegisterRequest, source: RegisterSource): RegisterOutcome {
    const now = clock();
    if (request.wildcard) {
      return deps.transaction(() => {
        const current = registrations.live(extension, now);
        if (current.some((b) => isOutOfOrder(b, request))) return { status: 500, reason: 'Out of order REGISTER' };
        registrations.removeAll(extension);
        return { status: 200, bindings: [] };
      });
    }

    const wanted = request.contacts.map((c) => ({
      contact: c,
      expiresS: c.expires ?? request.headerExpires ?? limits.defaultExpiresS,
    }));
    // Checked before anything is written: one too-brief contact refuses the whole request.
    if (wanted.some((w) => w.expiresS > 0 && w.expiresS < limits.minExpiresS)) {
      return { status: 423, minExpiresS: limits.minExpiresS };
    }

    return deps.transaction((): RegisterOutcome => {
      for (const { contact } of wanted) {
        if (isOutOfOrder(registrations.get(extension, contact.uri), request)) {
          return { status: 500, reason: 'Out of order REGISTER' };
        }
      }
      for (const { contact, expiresS } of wanted) {
        if (expiresS === 0) {
          registrations.remove(extension, contact.uri);
          continue;
        }
        registrations.save({
          extension,
          contact: contact.uri,
          expiresAt: now + Math.min(expiresS, limits.maxExpiresS) * 1000,
          callId: request.callId,
          cseq: request.cseq,
          receivedAddress: source.address,
          receivedPort: source.port,
          transport: normaliseTransport(source.protocol),
          userAgent: request.userAgent,
          instanceId: contact.instanceId ?? null,
          registeredAt: now,
        });
      }
      const bindings = registrations.live(extension, now);
      if (bindings.length > limits.maxBindingsPerExtension) {
        // Thrown to roll the transaction back; turned into a 403 below.
        throw new TooManyBindings();
      }
      return { status: 200, bindings };
    });
  }

  return {
    apply(extension: string, request: RegisterRequest, source: RegisterSource): RegisterOutcome {
      try {
        return apply(extension, request, source);
      } catch (err) {
        if (err instanceof TooManyBindings) {
          return { status: 403, reason: `more than ${limits.maxBindingsPerExtension} registered contacts for ${extension}` };
        }
        throw err;
      }
    },
    /** Live bindings of one extension (expired ones are filtered on read). */
    live: (extension: string) => registrations.live(extension, clock()),
    /** Deletes expired bindings; returns how many. */
    sweep: () => registrations.sweep(clock()),
  };
}

export type BindingService = ReturnType<typeof createBindingService>;

class TooManyBindings extends Error {}
