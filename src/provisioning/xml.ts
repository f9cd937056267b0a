import { toAscii } from './transliterate.js';

const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes the five XML special characters; the input must already be ASCII. */
export function escapeXml(s: string): string {
  return s.replace(XML_SPECIAL, (c) => XML_ENTITY[c]!);
}

/** What every value in a device profile goes through: ASCII transliteration, then XML escaping. */
export function xmlValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  return escapeXml(toAscii(String(v)));
}

export function yesNo(v: boolean): 'Yes' | 'No' {
  return v ? 'Yes' : 'No';
}

const DECODE = /&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g;

export function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(DECODE, (_, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

// <Name>value</Name> or <Name/> — leaf elements only; containers (flat-profile,
// router-configuration, Time_Setup) have element children and never match.
const LEAF = /<([A-Za-z][\w.-]*)(?:\s[^<>]*?)?(?:\/>|>([^<]*)<\/\1>)/g;

/**
 * Flat name → value map of the leaf elements of a profile we rendered (nested
 * router-configuration names included). Our own output is simple enough for a regex: no
 * CDATA, no comments inside values; comments in templates are skipped first.
 */
export function extractParams(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  const text = body.includes('<!--') ? body.replace(/<!--[\s\S]*?-->/g, '') : body;
  for (const m of text.matchAll(LEAF)) {
    params[m[1]!] = m[2] === undefined ? '' : unescapeXml(m[2]);
  }
  return params;
}
