/** SIP transport layer: UDP/TCP on IPv4/IPv6, see types.ts for the contract. */
export { createTransportLayer } from './transport-layer.js';
export { responseDestination, normaliseAddress, DEFAULT_SIP_PORT } from './addressing.js';
export { parseTopVia, locateTopVia, safeParseVia } from './via.js';
export type * from './types.js';
