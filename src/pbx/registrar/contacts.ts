/**
 * Where to send a request for an extension: every live binding, with the next hop that
 * reaches the phone. Behind NAT the Contact names a private address, so requests go via the
 * address and port the REGISTER really came from (`proxy`), over the same transport.
 */
import type { RegistrationRepository, SipTransport } from '../../data/types.js';

export interface ReachableContact {
  extension: string;
  /** Request-URI: the Contact the phone registered. */
  uri: string;
  /** drachtio `proxy` option: `sip:<received address>:<port>;transport=<t>`. */
  proxy: string;
  transport: SipTransport;
  expiresAt: number;
  userAgent: string | null;
  instanceId: string | null;
}

export function proxyFor(address: string, port: number, transport: SipTransport): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `sip:${host}:${port};transport=${transport}`;
}

export type FindContacts = (extension: string) => ReachableContact[];

export function createContactFinder(deps: { registrations: RegistrationRepository; clock: () => number }): FindContacts {
  return (extension) =>
    deps.registrations.live(extension, deps.clock()).map((b) => ({
      extension: b.extension,
      uri: b.contact,
      proxy: proxyFor(b.receivedAddress, b.receivedPort, b.transport),
      transport: b.transport,
      expiresAt: b.expiresAt,
      userAgent: b.userAgent,
      instanceId: b.instanceId,
    }));
}
