/** SIP transaction layer (RFC 3261 §17 + RFC 6026), see types.ts for the contract. */
export { createTransactionLayer } from './transaction-layer.js';
export type * from './types.js';
