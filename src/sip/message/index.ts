/** Public API of the SIP message layer: parse, frame, serialize, header access, value parsers. */
export type * from './types.js';
export { parseMessage, DEFAULT_LIMITS, type SipParseLimits, type SipParseOptions } from './parse.js';
export { frameStream } from './stream.js';
export { serializeMessage } from './serialize.js';
export {
  getHeader, getHeaderValues, hasHeader, countHeader, setHeader, appendHeader, prependHeader,
  removeHeader, canonicalHeaderName, headerKey, isListHeader, splitTopLevelCommas,
} from './headers.js';
export { parseUri, formatUri, unescapePercent } from './uri.js';
export {
  parseNameAddr, formatNameAddr, parseVia, formatVia, parseCSeq, getTag, parseAuthHeader,
  formatAuthHeader, quote, unquote, isToken, type AuthHeader,
} from './values.js';
export {
  createResponse, reasonPhrase, generateBranch, generateTag, generateCallId, type ResponseOptions,
} from './build.js';
