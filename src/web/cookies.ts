/**
 * Cookie header parsing and Set-Cookie serialisation (the two things we need from
 * @fastify/cookie, which is not installed). Session cookies carry a 256-bit random id that
 * the server stores only hashed, so an HMAC signature would add nothing: a forged id simply
 * matches no session.
 */

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      continue; // malformed escape: ignore this cookie rather than the whole header
    }
    if (!(name in out)) out[name] = value;
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number;
  path?: string;
}

/** Always HttpOnly and SameSite=Strict: scripts cannot read it, other sites cannot send it. */
export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path ?? '/'}`, 'HttpOnly', 'SameSite=Strict'];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${Math.trunc(opts.maxAge)}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
