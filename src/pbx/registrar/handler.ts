/** The terminal REGISTER handler: apply the bindings, answer with what is now registered. */
import type { Logger } from '../../log.js';
import type { Registration } from '../../data/types.js';
import type { SrfHandler } from '../srf-types.js';
import type { BindingService } from './bindings.js';
import type { RegisterRequests } from './middleware.js';

/** `<uri>;expires=N, …` with the seconds each binding has left (RFC 3261 §10.3 step 8). */
export function contactList(bindings: Registration[], now: number): string {
  return bindings
    .map((b) => `<${b.contact}>;expires=${Math.max(1, Math.ceil((b.expiresAt - now) / 1000))}`)
    .join(', ');
}

export interface RegisterHandlerDeps {
  bindings: BindingService;
  requests: RegisterRequests;
  clock: () => number;
  logger: Logger;
}

export function createRegisterHandler(deps: RegisterHandlerDeps): SrfHandler {
  const { bindings, requests, clock, logger } = deps;
  return (req, res) => {
    const request = requests.get(req);
    if (request === undefined) {
      // Only reachable if the middleware chain was assembled wrongly.
      logger.error({ callId: req.get('Call-ID') }, 'REGISTER reached the handler unparsed');
      res.send(500);
      return;
    }
    const source = { address: req.source_address, port: Number(req.source_port), protocol: req.protocol };
    try {
      const outcome = bindings.apply(request.aorUser, request, source);
      switch (outcome.status) {
        case 200: {
          const headers: Record<string, string> = {};
          if (outcome.bindings.length > 0) headers.Contact = contactList(outcome.bindings, clock());
          logger.info(
            { extension: request.aorUser, ip: source.address, port: source.port, transport: source.protocol,
              contacts: outcome.bindings.length, userAgent: request.userAgent },
            request.wildcard || request.contacts.length > 0
              ? `extension ${request.aorUser} now has ${outcome.bindings.length} registered contact(s)`
              : `extension ${request.aorUser} queried its registrations`,
          );
          res.send(200, { headers });
          return;
        }
        case 423:
          res.send(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(outcome.minExpiresS) } });
          return;
        default:
          logger.info({ extension: request.aorUser, ip: source.address, reason: outcome.reason }, `REGISTER refused: ${outcome.reason}`);
          res.send(outcome.status, outcome.reason);
      }
    } catch (err) {
      logger.error({ err, extension: request.aorUser }, 'REGISTER could not be stored');
      res.send(500);
    }
  };
}
