/**
 * The transaction layer: matches inbound messages to transactions (RFC 3261 §17.1.3, §17.2.3),
 * creates server transactions for new requests, and starts client transactions for the core.
 */
import { getHeader, getTag, parseCSeq } from '../message/index.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse, Via } from '../message/types.js';
import type { Destination, InboundInfo } from '../transport/types.js';
import { ClientTx } from './client-transaction.js';
import { resolveTimers, type TxEnv } from './env.js';
import { buildCancel, MAGIC_COOKIE, requireCSeq, withOurVia } from './requests.js';
import { createCompletedCache } from './completed-cache.js';
import { createRetransmitter2xx } from './retransmit-2xx.js';
import { ServerTx } from './server-transaction.js';
import type {
  ClientTransaction, ClientTransactionHandlers, RequestContext, RequestHandler, SendRequestOptions,
  StrayResponseHandler, TransactionConfig, TransactionLayer, TransactionStats,
} from './types.js';

/**
 * Server transaction key (§17.2.3): branch + sent-by + method, ACK folded onto INVITE.
 * Requests without the magic cookie (RFC 2543 clients) fall back to dialog identifiers.
 */
function serverKey(req: SipRequest, via: Via, method: string): string | null {
  const branch = via.params.branch;
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
  if (branch && branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  const callId = getHeader(req, 'Call-ID');
  const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '');
  const from = getHeader(req, 'From');
  if (callId === undefined || !cseq || from === undefined) return null;
  return `2543|${callId}|${cseq.seq}|${getTag(from) ?? ''}|${sentBy}|${branch ?? ''}|${method}`;
}

function cseqMethod(msg: SipMessage): string | null {
  const text = getHeader(msg, 'CSeq');
  return text === undefined ? null : parseCSeq(text)?.method ?? null;
}

export function createTransactionLayer(config: TransactionConfig): TransactionLayer {
  const { transport, logger } = config;
  const timers = resolveTimers(config.timers);
  const autoTrying = config.autoTrying ?? true;
  const servers = new Map<string, ServerTx>();
  const clients = new Map<string, ClientTx>();
  let requestHandler: RequestHandler | null = null;
  let strayHandler: StrayResponseHandler | null = null;
  let absorbed = 0;
  let stray = 0;
  let stopped = false;

  const env: TxEnv = {
    transport,
    timers,
    logger,
    forget(key, kind, tx) {
      const map: Map<string, object> = kind === 'server' ? servers : clients;
      if (map.get(key) === tx) map.delete(key);
    },
    completed: createCompletedCache({ ttlMs: timers.long, transport, logger }),
    trackClient(key, tx) { clients.set(key, tx); },
  };
  const retransmitter = createRetransmitter2xx(env);

  function deliver(req: SipRequest, ctx: RequestContext): void {
    if (!requestHandler) {
      logger.warn({ method: req.method }, 'no request handler; request dropped');
      return;
    }
    try {
      requestHandler(req, ctx);
    } catch (err) {
      logger.error({ err, method: req.method }, 'request handler threw');
    }
  }

  function handleRequest(req: SipRequest, info: InboundInfo): void {
    const via = info.topVia;
    if (!via) return;   // the parser guarantees a Via; nothing sensible to do otherwise
    const isAck = req.method === 'ACK';
    const key = serverKey(req, via, isAck ? 'INVITE' : req.method);
    if (key === null) return;
    const existing = servers.get(key);
    if (isAck) {
      if (existing && existing.onAck()) {
        absorbed++;
        return;
      }
      // ACK for a 2xx: its own transaction-less request; stop the 2xx retransmissions.
      const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '');
      const callId = getHeader(req, 'Call-ID');
      if (cseq && callId !== undefined) retransmitter.ackReceived(callId, cseq.seq);
      deliver(req, { info });
      return;
    }
    if (existing) {
      existing.onRetransmission();
      absorbed++;
      return;
    }
    if (env.completed.absorb(key)) {
      absorbed++;
      return;
    }
    if (stopped) return;
    const tx = new ServerTx(env, key, req, info);
    servers.set(key, tx);
    tx.start(autoTrying);
    const ctx: RequestContext = { serverTx: tx, info };
    if (req.method === 'CANCEL') {
      const inviteKey = serverKey(req, via, 'INVITE');
      const target = inviteKey === null ? undefined : servers.get(inviteKey);
      if (target && target.state !== 'terminated') ctx.cancelTarget = target;
    }
    deliver(req, ctx);
  }

  function handleResponse(res: SipResponse, info: InboundInfo): void {
    const branch = info.topVia?.params.branch;
    const method = cseqMethod(res);
    const tx = branch && method ? clients.get(`${branch}|${method}`) : undefined;
    if (tx) {
      tx.onResponse(res, info);
      return;
    }
    stray++;
    if (strayHandler) {
      try {
        strayHandler(res, info);
      } catch (err) {
        logger.error({ err }, 'stray response handler threw');
      }
    }
  }

  transport.onMessage((msg, info) => {
    if (msg.kind === 'request') handleRequest(msg, info);
    else handleResponse(msg, info);
  });

  function startClient(
    request: SipRequest, dest: Destination, handlers: Partial<ClientTransactionHandlers>, branch?: string,
  ): ClientTx {
    if (request.method === 'ACK') throw new Error('ACK is not sent in a client transaction; use sendStateless');
    const cseq = requireCSeq(request);
    const sent = withOurVia(request, dest, transport, branch);
    const key = `${sent.branch}|${request.method}`;
    if (clients.has(key)) throw new Error(`a client transaction with branch ${sent.branch} and method ${request.method} exists`);
    return new ClientTx(env, key, sent.branch, sent.request, cseq.seq, dest, handlers);
  }

  return {
    onRequest(handler) { requestHandler = handler; },
    onStrayResponse(handler) { strayHandler = handler; },

    sendRequest(request, dest, handlers, opts?: SendRequestOptions): ClientTransaction {
      if (stopped) throw new Error('transaction layer stopped');
      const tx = startClient(request, dest, handlers, opts?.branch);
      tx.start();
      return tx;
    },

    async sendStateless(request, dest, opts) {
      const sent = withOurVia(request, dest, transport, opts?.branch);
      await transport.send(sent.request, dest);
      return sent.request;
    },

    cancel(invite, extraHeaders: SipHeader[] = [], handlers = {}) {
      const inv = invite instanceof ClientTx ? invite : null;
      if (!inv || !inv.isInvite) return null;
      if (inv.state !== 'calling' && inv.state !== 'proceeding') return null;
      if (inv.queuedCancel) return inv.queuedCancel;
      const request = buildCancel(inv.request, inv.cseq, extraHeaders);
      // The CANCEL carries the INVITE's Via already; ClientTx takes it as is.
      const key = `${inv.branch}|CANCEL`;
      const running = clients.get(key);
      if (running) return running;
      const tx = new ClientTx(env, key, inv.branch, request, inv.cseq, inv.dest, handlers);
      if (inv.provisionalSeen) tx.start();
      else inv.queuedCancel = tx;
      return tx;
    },

    retransmit2xxUntilAck: (response, dest, opts) => retransmitter.start(response, dest, opts),
    ackReceived: (callId, cseq) => retransmitter.ackReceived(callId, cseq),

    stats(): TransactionStats {
      return {
        serverTransactions: servers.size + env.completed.size(),
        clientTransactions: clients.size,
        pending2xx: retransmitter.count(),
        absorbedRetransmissions: absorbed,
        strayResponses: stray,
      };
    },

    stop() {
      stopped = true;
      for (const tx of [...servers.values()]) tx.terminate('stopped');
      for (const tx of [...clients.values()]) tx.terminate('stopped');
      retransmitter.stopAll();
      env.completed.clear();
    },
  };
}
