/**
 * Reads what a REGISTER asks for (RFC 3261 §10.2): whose bindings (the To user), which
 * contacts with which expiry, or `Contact: *` to remove them all. Pure: no SIP stack, no
 * storage, so every odd header a phone may send is tested here.
 */

export interface RegisterContact {
  /** The contact URI without the angle brackets. */
  uri: string;
  /** The contact's own `expires` parameter, when given. */
  expires?: number;
  /** `+sip.instance` (RFC 5626), without quotes and brackets. */
  instanceId?: string;
}

export interface RegisterRequest {
  /** User part of the To URI: the extension the bindings belong to. */
  aorUser: string;
  /** `Contact: *`: remove every binding (only valid with Expires: 0). */
  wildcard: boolean;
  /** Empty for a query (REGISTER without Contact) and for the wildcard. */
  contacts: RegisterContact[];
  /** The Expires header, when present. */
  headerExpires?: number;
  callId: string;
  cseq: number;
  userAgent: string | null;
}

export type ParsedRegister = { ok: true; request: RegisterRequest } | { ok: false; reason: string };

export interface RegisterHeaders {
  to: string | undefined;
  contact: string | undefined;
  expires: string | undefined;
  callId: string | undefined;
  cseq: string | undefined;
  userAgent: string | undefined;
}

/** Phones register a handful of contacts; more is a broken or hostile client. */
export const MAX_CONTACTS = 10;
const DELTA_SECONDS = /^\d{1,10}$/;

/** Splits at `separator` outside double quotes and angle brackets. */
export function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if (ch === separator && !quoted && angle === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts.filter((p) => p !== '');
}

/** `"Name" <sip:…>;p=v` or `sip:…;p=v` → the URI and the header parameters. */
function parseNameAddr(value: string): { uri: string; params: Map<string, string> } | undefined {
  let uri: string;
  let rest: string;
  const open = value.indexOf('<');
  if (open !== -1) {
    const close = value.indexOf('>', open);
    if (close === -1) return undefined;
    uri = value.slice(open + 1, close).trim();
    rest = value.slice(close + 1);
  } else {
    // addr-spec: parameters after the URI belong to the header, not the URI (RFC 3261 §20.10).
    const semi = value.indexOf(';');
    uri = (semi === -1 ? value : value.slice(0, semi)).trim();
    rest = semi === -1 ? '' : value.slice(semi);
  }
  if (!/^sips?:[^\s<>"]+$/i.test(uri)) return undefined;
  const params = new Map<string, string>();
  for (const param of splitOutside(rest, ';')) {
    const eq = param.indexOf('=');
    const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
    const raw = eq === -1 ? '' : param.slice(eq + 1).trim();
    params.set(name, raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  }
  return { uri, params };
}

/** The user part of a To/From header's URI, e.g. "102" from `<sip:102@pbx>;tag=x`. */
export function userOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = parseNameAddr(header.trim());
  const match = parsed && /^sips?:([^@;?]+)@/i.exec(parsed.uri);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function parseRegister(headers: RegisterHeaders): ParsedRegister {
  const fail = (reason: string): ParsedRegister => ({ ok: false, reason });
  const aorUser = userOf(headers.to);
  if (aorUser === undefined) return fail('To header has no sip:user@host URI');
  const callId = headers.callId?.trim();
  if (!callId) return fail('Call-ID is missing');
  const cseqMatch = /^\s*(\d{1,10})\s+REGISTER\s*$/i.exec(headers.cseq ?? '');
  if (!cseqMatch) return fail(`CSeq ${JSON.stringify(headers.cseq ?? '')} is not "<number> REGISTER"`);
  let headerExpires: number | undefined;
  if (headers.expires !== undefined) {
    if (!DELTA_SECONDS.test(headers.expires.trim())) return fail(`Expires ${JSON.stringify(headers.expires)} is not a number of seconds`);
    headerExpires = Number(headers.expires.trim());
  }
  const base = { aorUser, callId, cseq: Number(cseqMatch[1]), userAgent: headers.userAgent?.trim() || null,
    ...(headerExpires === undefined ? {} : { headerExpires }) };

  const values = splitOutside(headers.contact ?? '', ',');
  if (values.includes('*')) {
    if (values.length > 1) return fail('Contact: * cannot be combined with other contacts');
    if (headerExpires !== 0) return fail('Contact: * needs Expires: 0');
    return { ok: true, request: { ...base, wildcard: true, contacts: [] } };
  }
  if (values.length > MAX_CONTACTS) return fail(`more than ${MAX_CONTACTS} contacts in one REGISTER`);
  const contacts: RegisterContact[] = [];
  for (const value of values) {
    const parsed = parseNameAddr(value);
    if (!parsed) return fail(`Contact ${JSON.stringify(value.slice(0, 100))} is not a sip: URI`);
    const contact: RegisterContact = { uri: parsed.uri };
    const expires = parsed.params.get('expires');
    if (expires !== undefined) {
      if (!DELTA_SECONDS.test(expires)) return fail(`Contact expires ${JSON.stringify(expires)} is not a number of seconds`);
      contact.expires = Number(expires);
    }
    const instance = parsed.params.get('+sip.instance');
    if (instance) contact.instanceId = instance.replace(/^<|>$/g, '');
    contacts.push(contact);
  }
  return { ok: true, request: { ...base, wildcard: false, contacts } };
}
