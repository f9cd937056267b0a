/**
 * Reading a REFER's Refer-To. Blind: `<sip:103@pbx>`. Attended (RFC 3891/5589):
 * `<sip:103@pbx?Replaces=<call-id>%3Bto-tag%3D<t>%3Bfrom-tag%3D<f>>` where the ids name the
 * transferor's consultation dialog as the transferor sees it.
 */

export interface ReplacesTarget {
  callId: string;
  toTag: string;
  fromTag: string;
}

export interface ReferTarget {
  /** The user part of the target (the number to dial), or undefined for a user-less URI. */
  user: string | undefined;
  uri: string;
  replaces: ReplacesTarget | undefined;
}

export function parseReferTo(value: string | undefined): ReferTarget | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const bracketed = /<([^>]*)>/.exec(trimmed);
  const uri = (bracketed ? bracketed[1]! : trimmed.split(';')[0]!).trim();
  if (!/^sips?:/i.test(uri)) return undefined;
  const [address, query = ''] = uri.split('?', 2) as [string, string?];
  const userMatch = /^sips?:([^@;?]+)@/i.exec(address);
  const user = userMatch ? decodeURIComponent(userMatch[1]!) : undefined;
  let replaces: ReplacesTarget | undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).toLowerCase() !== 'replaces') continue;
    replaces = parseReplaces(decodeURIComponent(pair.slice(eq + 1)));
  }
  return { user, uri: address, replaces };
}

/** `callid;to-tag=x;from-tag=y` (a Replaces header value). */
export function parseReplaces(value: string): ReplacesTarget | undefined {
  const [callId, ...params] = value.split(';').map((p) => p.trim());
  if (!callId) return undefined;
  const get = (name: string) => params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
  const toTag = get('to-tag');
  const fromTag = get('from-tag');
  if (toTag === undefined || fromTag === undefined) return undefined;
  return { callId, toTag, fromTag };
}
