/**
 * A small drachtio-srf registrar app: REGISTER without (valid) credentials → 401 with a
 * digest challenge from src/pbx/auth/digest.ts; with valid credentials → 200 listing the
 * bindings, kept in an in-memory location map (AOR user → contact URI, with expiry).
 * Used by the baresip flow tests and the SIP benchmarks.
 */
import { createDigestAuthenticator } from '../../../src/pbx/auth/digest.js';
import type { SrfApp, SrfReq, SrfRes } from '../srf.js';

export interface Binding {
  contact: string;
  expiresAt: number;
}

export interface RegistrarApp {
  realm: string;
  bindings: Map<string, Binding>;
  /** The live contact URI registered for `user`, if any. */
  lookup(user: string): string | undefined;
  counts: { challenged: number; registered: number; unregistered: number; rejected: number };
}

export interface RegistrarOptions {
  /** user → password */
  users: Record<string, string> | ((user: string) => string | undefined);
  realm?: string;
  clock?: () => number;
  /** Replay-guard size of the digest authenticator (raise it for benchmarks). */
  maxTrackedNonces?: number;
}

/** Parses `<sip:u@h:p;x>;expires=60, ...` loosely: URI and optional expires param per contact. */
export function parseContacts(value: string): Array<{ uri: string; expires?: number }> {
  const out: Array<{ uri: string; expires?: number }> = [];
  // split on commas outside <> and quotes
  let depth = 0;
  let quoted = false;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') { parts.push(value.slice(start, i)); start = i + 1; }
  }
  parts.push(value.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    if (part === '*') { out.push({ uri: '*' }); continue; }
    const angle = /<([^>]*)>(.*)$/.exec(part);
    const uri = angle ? angle[1]! : part.split(';')[0]!;
    const params = angle ? angle[2]! : part.slice(uri.length);
    const expires = /;\s*expires\s*=\s*(\d+)/i.exec(params);
    out.push(expires ? { uri, expires: Number(expires[1]) } : { uri });
  }
  return out;
}

/** User part of a sip: URI (`sip:alice@host` → `alice`). */
export function userOf(uri: string): string | undefined {
  return /^sips?:([^@;>]+)@/i.exec(uri.trim().replace(/^<|>$/g, ''))?.[1];
}

export function installRegistrar(srf: SrfApp, opts: RegistrarOptions): RegistrarApp {
  const realm = opts.realm ?? 'hookflash-test';
  const clock = opts.clock ?? Date.now;
  const password = typeof opts.users === 'function' ? opts.users : (u: string) => (opts.users as Record<string, string>)[u];
  const auth = createDigestAuthenticator({ realm, nonceTtlMs: 300_000, clock, maxTrackedNonces: opts.maxTrackedNonces ?? 10_000 });
  const bindings = new Map<string, Binding>();
  const counts = { challenged: 0, registered: 0, unregistered: 0, rejected: 0 };

  srf.register((req: SrfReq, res: SrfRes) => {
    const result = auth.verify({ method: 'REGISTER', authorizationHeader: req.get('Authorization') || undefined, password });
    if (!result.ok) {
      if (result.reason === 'missing' || result.stale === true || result.reason === 'stale-nonce') {
        counts.challenged++;
        const c = auth.challenge({ stale: result.stale === true });
        res.send(401, { headers: { [c.header]: c.value } });
      } else {
        counts.rejected++;
        res.send(403);
      }
      return;
    }
    const aorUser = userOf(req.get('To') .replace(/^[^<]*</, '<').replace(/>.*$/, '>')) ?? result.username;
    if (aorUser !== result.username) {
      counts.rejected++;
      res.send(403);
      return;
    }
    const headerExpires = Number(req.get('Expires') || 3600);
    const contacts = req.has('Contact') ? parseContacts(req.get('Contact')) : [];
    for (const contact of contacts) {
      const expires = contact.uri === '*' ? 0 : (contact.expires ?? headerExpires);
      if (expires === 0) {
        if (bindings.delete(aorUser)) counts.unregistered++;
      } else {
        bindings.set(aorUser, { contact: contact.uri, expiresAt: clock() + expires * 1000 });
      }
    }
    counts.registered++;
    const current = bindings.get(aorUser);
    const headers: Record<string, string> = {};
    if (current !== undefined) {
      headers['Contact'] = `<${current.contact}>;expires=${Math.max(0, Math.round((current.expiresAt - clock()) / 1000))}`;
    }
    res.send(200, { headers });
  });

  return {
    realm,
    bindings,
    counts,
    lookup(user) {
      const b = bindings.get(user);
      if (b === undefined) return undefined;
      if (b.expiresAt <= clock()) { bindings.delete(user); return undefined; }
      return b.contact;
    },
  };
}
