/**
 * SPA firmware accepts ASCII only (non-ASCII bytes garble the display or break the profile),
 * so names such as "Łucja Żak" become "Lucja Zak". A table covers letters that Unicode
 * decomposition cannot split (ł, ß, ø, æ …) and the German convention (ä → ae); NFKD then
 * strips accents from the rest (č → c, é → e); whatever is still not ASCII becomes "?".
 */
const TABLE: Record<string, string> = {
  // Polish letters without a decomposition
  'ł': 'l', 'Ł': 'L',
  // German
  'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'Ä': 'Ae', 'Ö': 'Oe', 'Ü': 'Ue', 'ß': 'ss', 'ẞ': 'SS',
  // Nordic, French ligatures, Icelandic, Croatian, Turkish
  'ø': 'o', 'Ø': 'O', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'å': 'a', 'Å': 'A',
  'þ': 'th', 'Þ': 'Th', 'ð': 'd', 'Ð': 'D', 'đ': 'd', 'Đ': 'D', 'ı': 'i', 'ħ': 'h', 'Ħ': 'H',
  // typography
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201c': '"', '\u201d': '"', '\u201e': '"',
  '\u2013': '-', '\u2014': '-', '\u2212': '-', '\u2026': '...', '\u00a0': ' ', '\u00ab': '"', '\u00bb': '"',
  '\u20ac': 'EUR', '\u00b0': 'o',
};

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** ASCII-only version of s: table, then NFKD without accents, then "?" for anything left. */
export function toAscii(s: string): string {
  if (PRINTABLE_ASCII.test(s)) return s; // the common case costs one regex test
  let out = '';
  for (const ch of s) {
    const mapped = TABLE[ch];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) {
      out += ch;
      continue;
    }
    if (code < 0x20 || code === 0x7f) {
      // control characters (tabs, newlines) would be folded to spaces by the device anyway
      out += ' ';
      continue;
    }
    const stripped = ch.normalize('NFKD').replace(COMBINING_MARKS, '');
    out += PRINTABLE_ASCII.test(stripped) && stripped !== '' ? stripped : '?';
  }
  return out;
}
