/**
 * SIP digest authentication (MD5, with and without qop=auth) for REGISTER and INVITE.
 *
 * Nonces are stateless: timestamp + random, signed with an HMAC, so a challenge costs no
 * memory and a forged or altered nonce is recognised without a lookup. Only nonces that were
 * actually used are remembered (the replay guard), and only until they expire.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseDigestHeader, quote } from './digest-header.js';

export type DigestFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown-user'
  | 'bad-response'
  | 'stale-nonce'
  | 'replayed'
  | 'realm-mismatch';

export type DigestResult =
  | { ok: true; username: string }
  | {
      ok: false;
      reason: DigestFailureReason;
      /**
       * true when the password was right but the nonce cannot be accepted (expired, already used,
       * or issued before a restart): challenge again with stale=true and the phone retries silently.
       */
      stale?: boolean;
      /** Username as claimed by the client, for the log line (never the password). */
      username?: string;
      /** What exactly was wrong, for the log line. */
      detail?: string;
    };

export interface DigestChallenge {
  /** `WWW-Authenticate` (401, registrar) or `Proxy-Authenticate` (407, INVITE). */
  header: 'WWW-Authenticate' | 'Proxy-Authenticate';
  value: string;
}

export interface VerifyRequest {
  method: string;
  /** The Authorization / Proxy-Authorization header value; undefined when the request had none. */
  authorizationHeader: string | undefined;
  /** The extension's SIP password, or undefined when no such user exists. */
  password: (username: string) => string | undefined;
  /**
   * The request's Request-URI. When given, the `uri` credential must equal it (case-insensitive);
   * otherwise `uri` only has to be present.
   */
  requestUri?: string;
}

export interface DigestAuthenticatorDeps {
  realm: string;
  /** HMAC key for nonces; random per process when omitted (nonces then die with the process). */
  secret?: Buffer;
  nonceTtlMs: number;
  clock: () => number;
  /** Upper bound of remembered used nonces (replay guard). */
  maxTrackedNonces?: number;
}

export interface DigestAuthenticator {
  challenge(opts?: { stale?: boolean; proxy?: boolean }): DigestChallenge;
  verify(request: VerifyRequest): DigestResult;
  /** Number of nonces the replay guard remembers right now (for tests and metrics). */
  trackedNonces(): number;
}

export interface DigestResponseInput {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** 'auth' or absent (RFC 2069 compatibility, as SPA303s answer). */
  qop?: string;
  nc?: string;
  cnonce?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** The `response` value of RFC 2617 §3.2.2.1 for algorithm MD5. */
export function computeDigestResponse(i: DigestResponseInput): string {
  const ha1 = md5(`${i.username}:${i.realm}:${i.password}`);
  const ha2 = md5(`${i.method}:${i.uri}`);
  if (i.qop === undefined) return md5(`${ha1}:${i.nonce}:${ha2}`);
  return md5(`${ha1}:${i.nonce}:${i.nc ?? ''}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
}

/**
 * Failures that look like guessing and count toward the per-address lockout. Anything proven
 * by a right password (stale or reused nonce), a missing header (the first leg of every
 * challenge) or a broken client is not a guess: several phones behind one NAT address would
 * otherwise lock each other out after a restart.
 */
export function countsTowardLockout(result: DigestResult): boolean {
  return !result.ok && (result.reason === 'unknown-user' || result.reason === 'bad-response');
}

const NONCE_BYTES = 8 + 8 + 16; // timestamp, random, truncated HMAC
const NC_FORMAT = /^[0-9a-fA-F]{8}$/;
const HEX32 = /^[0-9a-fA-F]{32}$/;

export function createDigestAuthenticator(deps: DigestAuthenticatorDeps): DigestAuthenticator {
  const { realm, nonceTtlMs, clock } = deps;
  const secret = deps.secret ?? randomBytes(32);
  const maxTracked = deps.maxTrackedNonces ?? 10_000;
  const opaque = createHmac('sha256', secret).update(`opaque:${realm}`).digest('base64url').slice(0, 22);

  // Replay guard: nonce -> highest nc seen (0 for a nonce used without qop) and its expiry.
  // Insertion order is roughly issue order, so expired entries collect at the front.
  const used = new Map<string, { highestNc: number; issuedAt: number }>();
  // When the guard is full, forgetting a nonce could let it be replayed; instead every nonce
  // issued at or before the newest forgotten one is treated as stale (the client just re-auths).
  let forgottenUpTo = -Infinity;

  function sign(payload: Buffer): Buffer {
    return createHmac('sha256', secret).update(payload).update(realm).digest().subarray(0, 16);
  }

  function issueNonce(): string {
    const payload = Buffer.alloc(16);
    payload.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(clock()))), 0);
    randomBytes(8).copy(payload, 8);
    return Buffer.concat([payload, sign(payload)]).toString('base64url');
  }

  /** The nonce's issue time, or undefined when it is not one of ours. */
  function nonceIssuedAt(nonce: string): number | undefined {
    if (!/^[A-Za-z0-9_-]{43}$/.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return undefined;
    const payload = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), sign(payload))) return undefined;
    return Number(payload.readBigUInt64BE(0));
  }

  function dropExpired(now: number): void {
    for (const [nonce, entry] of used) {
      if (entry.issuedAt + nonceTtlMs > now) break;
      used.delete(nonce);
    }
  }

  function remember(nonce: string, issuedAt: number, nc: number): void {
    if (used.size >= maxTracked) {
      dropExpired(clock());
      for (const [oldest, entry] of used) {
        if (used.size < maxTracked) break;
        used.delete(oldest);
        forgottenUpTo = Math.max(forgottenUpTo, entry.issuedAt);
      }
    }
    used.set(nonce, { highestNc: nc, issuedAt });
  }

  function challenge(opts: { stale?: boolean; proxy?: boolean } = {}): DigestChallenge {
    let value = `Digest realm=${quote(realm)}, nonce=${quote(issueNonce())}, opaque=${quote(opaque)}, algorithm=MD5, qop="auth"`;
    if (opts.stale) value += ', stale=true';
    return { header: opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate', value };
  }

  function verify(request: VerifyRequest): DigestResult {
    if (request.authorizationHeader === undefined || request.authorizationHeader.trim() === '') {
      return { ok: false, reason: 'missing' };
    }
    const parsed = parseDigestHeader(request.authorizationHeader);
    if (!parsed.ok) return { ok: false, reason: 'malformed', detail: parsed.error };
    const p = parsed.params;
    const username = p.get('username');
    const claimed = username === undefined ? {} : { username };
    const fail = (reason: DigestFailureReason, detail?: string): DigestResult => ({
      ok: false, reason, ...claimed, ...(detail === undefined ? {} : { detail }),
    });

    for (const field of ['username', 'realm', 'nonce', 'uri', 'response']) {
      if (!p.get(field)) return fail('malformed', `"${field}" is missing`);
    }
    const nonce = p.get('nonce')!;
    const uri = p.get('uri')!;
    const response = p.get('response')!;
    if (p.get('realm') !== realm) return fail('realm-mismatch', `realm "${p.get('realm')}" is not "${realm}"`);
    const algorithm = p.get('algorithm');
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') {
      return fail('malformed', `algorithm "${algorithm}" is not supported (only MD5)`);
    }
    if (!HEX32.test(response)) return fail('malformed', 'response is not 32 hex digits');
    if (request.requestUri !== undefined && uri.toLowerCase() !== request.requestUri.toLowerCase()) {
      return fail('malformed', `uri "${uri}" does not match the request URI "${request.requestUri}"`);
    }

    const qop = p.get('qop');
    let nc = 0;
    if (qop !== undefined) {
      if (qop.toLowerCase() !== 'auth') return fail('malformed', `qop "${qop}" is not supported (only auth)`);
      const ncText = p.get('nc');
      if (ncText === undefined || !NC_FORMAT.test(ncText)) return fail('malformed', 'qop=auth needs nc as 8 hex digits');
      if (!p.get('cnonce')) return fail('malformed', 'qop=auth needs a cnonce');
      nc = parseInt(ncText, 16);
      if (nc === 0) return fail('malformed', 'nc must start at 00000001');
    }

    const password = request.password(username!);
    // Hash even for an unknown user, so response time does not reveal which users exist.
    const expected = computeDigestResponse({
      username: username!, realm, password: password ?? '\u0000no-such-user', method: request.method,
      uri, nonce, ...(qop === undefined ? {} : { qop, nc: p.get('nc')!, cnonce: p.get('cnonce')! }),
    });
    const matches = timingSafeEqual(Buffer.from(expected), Buffer.from(response.toLowerCase()));
    if (password === undefined) return fail('unknown-user');
    if (!matches) return fail('bad-response');

    // From here on the password is proven, so every refusal is stale: only a fresh nonce helps.
    const stale = (reason: DigestFailureReason, detail: string): DigestResult =>
      ({ ok: false, reason, stale: true, username: username!, detail });
    const issuedAt = nonceIssuedAt(nonce);
    const clientOpaque = p.get('opaque');
    if (issuedAt === undefined || (clientOpaque !== undefined && clientOpaque !== opaque)) {
      // Forged, altered, or signed with another secret (e.g. before a restart).
      return stale('stale-nonce', 'nonce was not issued by this server');
    }
    const now = clock();
    if (now - issuedAt >= nonceTtlMs) return stale('stale-nonce', 'nonce expired');
    if (issuedAt <= forgottenUpTo && !used.has(nonce)) return stale('stale-nonce', 'nonce no longer tracked');
    dropExpired(now);
    const seen = used.get(nonce);
    if (seen !== undefined) {
      // Without qop there is no counter, so a nonce is good for one request only.
      if (qop === undefined || seen.highestNc === 0 || nc <= seen.highestNc) {
        return stale('replayed', qop === undefined ? 'nonce already used' : `nc ${nc} is not above ${seen.highestNc}`);
      }
      seen.highestNc = nc;
    } else {
      remember(nonce, issuedAt, nc);
    }
    return { ok: true, username: username! };
  }

  return { challenge, verify, trackedNonces: () => used.size };
}
