/**
 * A deliberately small UDP registrar for proving SIP clients (SIPp, baresip) register with
 * digest auth: REGISTER without credentials → 401 (MD5, qop=auth); with credentials →
 * verify the response hash → 200 with the bindings, or 403. Built on our own message layer,
 * so it also exercises parse/serialize against real clients.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import {
  parseMessage, serializeMessage, createResponse, getHeader, getHeaderValues, parseAuthHeader, parseNameAddr,
  generateTag, type SipRequest,
} from '../../../src/sip/message/index.js';

export interface RegistrarEvent {
  kind: 'challenged' | 'registered' | 'rejected' | 'unparsable' | 'other';
  user: string | null;
  detail: string;
}

export interface Registrar {
  port: number;
  realm: string;
  events: RegistrarEvent[];
  /** Resolves with the first event of that kind (bounded by timeoutMs). */
  waitFor(kind: RegistrarEvent['kind'], timeoutMs: number): Promise<RegistrarEvent>;
  close(): Promise<void>;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** RFC 2617 §3.2.2 response for qop=auth (or the RFC 2069 form without qop). */
export function digestResponse(p: { user: string; realm: string; password: string; method: string; uri: string; nonce: string; nc?: string; cnonce?: string; qop?: string }): string {
  const ha1 = md5(`${p.user}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop === undefined ? md5(`${ha1}:${p.nonce}:${ha2}`) : md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

export async function startRegistrar(users: Record<string, string>, realm = 'hookflash-test'): Promise<Registrar> {
  const socket: Socket = createSocket('udp4');
  const nonces = new Set<string>();
  const events: RegistrarEvent[] = [];
  const waiters: Array<{ kind: RegistrarEvent['kind']; resolve: (e: RegistrarEvent) => void }> = [];
  const record = (event: RegistrarEvent): void => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.kind === event.kind)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  };

  socket.on('message', (data, rinfo) => {
    const parsed = parseMessage(data);
    if (!parsed.ok) {
      record({ kind: 'unparsable', user: null, detail: parsed.error });
      return;
    }
    if (parsed.message.kind !== 'request') return;
    const req: SipRequest = parsed.message;
    const reply = (status: number, headers: Array<{ name: string; value: string }> = []): void => {
      const res = createResponse(req, status, undefined, { toTag: generateTag(), headers });
      socket.send(serializeMessage(res), rinfo.port, rinfo.address);
    };
    if (req.method !== 'REGISTER') {
      record({ kind: 'other', user: null, detail: req.method });
      if (req.method !== 'ACK') reply(req.method === 'OPTIONS' ? 200 : 501);
      return;
    }
    const toUri = parseNameAddr(getHeader(req, 'To') ?? '')?.uri ?? '';
    const aor = /^sips?:([^@;]+)@/.exec(toUri)?.[1] ?? null;
    const credentials = parseAuthHeader(getHeader(req, 'Authorization') ?? '');
    if (credentials === null || credentials.scheme.toLowerCase() !== 'digest' || !nonces.has(credentials.params['nonce'] ?? '')) {
      const nonce = randomBytes(12).toString('hex');
      nonces.add(nonce);
      record({ kind: 'challenged', user: aor, detail: credentials === null ? 'no credentials' : 'unknown nonce' });
      reply(401, [{ name: 'WWW-Authenticate', value: `Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=MD5` }]);
      return;
    }
    const p = credentials.params;
    const user = p['username'] ?? '';
    const password = users[user];
    const expected = password === undefined ? null : digestResponse({
      user, realm, password, method: 'REGISTER', uri: p['uri'] ?? '', nonce: p['nonce'] ?? '',
      ...(p['qop'] !== undefined ? { qop: p['qop'], nc: p['nc'] ?? '', cnonce: p['cnonce'] ?? '' } : {}),
    });
    if (expected === null || expected !== p['response'] || p['realm'] !== realm) {
      record({ kind: 'rejected', user, detail: expected === null ? 'unknown user' : 'wrong response' });
      reply(403);
      return;
    }
    const expires = getHeader(req, 'Expires') ?? '3600';
    const contacts = getHeaderValues(req, 'Contact').map((c) => (c.includes('expires=') ? c : `${c};expires=${expires}`));
    record({ kind: 'registered', user, detail: `qop=${p['qop'] ?? 'none'} contacts=${contacts.join(' , ')}` });
    reply(200, contacts.map((value) => ({ name: 'Contact', value })));
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });

  return {
    port: socket.address().port,
    realm,
    events,
    waitFor(kind, timeoutMs) {
      const seen = events.find((e) => e.kind === kind);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`registrar: no "${kind}" event within ${timeoutMs} ms; saw ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({ kind, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
