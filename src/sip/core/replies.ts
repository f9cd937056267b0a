/** Responses the server sends on its own (without asking an app). */
import { createResponse, generateTag, getHeader, getTag } from '../message/index.js';
import type { SipHeader, SipRequest } from '../message/types.js';
import type { ServerTransaction } from '../transaction/types.js';

export function replyLocally(
  serverTx: ServerTransaction, status: number, reason?: string, headers: SipHeader[] = [], toTag?: string,
): void {
  const req: SipRequest = serverTx.request;
  const needsTag = status >= 200 && status !== 100 && getTag(getHeader(req, 'To') ?? '') === null;
  const res = createResponse(req, status, reason, {
    toTag: needsTag ? (toTag ?? generateTag()) : undefined,
    headers: [{ name: 'Server', value: 'hookflash' }, ...headers],
  });
  serverTx.respond(res);
}
