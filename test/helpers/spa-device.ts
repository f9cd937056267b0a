/**
 * What a Cisco SPA does with a profile, for flow tests: expand the macros in a
 * Profile_Rule, send its User-Agent, and read `<flat-profile>` XML into a flat map (with
 * xml2js, independently of the server's own parsing).
 */
import { Parser } from 'xml2js';

export function spaUserAgent(model: 'SPA303' | 'SPA112', firmware: string, mac: string, serial = 'CCQ12345678'): string {
  return `Cisco/${model}-${firmware} (${mac.toUpperCase()})(${serial})`;
}

/** Expands $MAU, $MA and $PSN as the firmware does; strips a leading "[--options]" block. */
export function expandRule(rule: string, device: { mac: string; psn: string }): string {
  const url = rule.trim().replace(/^\[[^\]]*\]\s*/, '');
  return url
    .replaceAll('$MAU', device.mac.toUpperCase())
    .replaceAll('$MA', device.mac.toLowerCase())
    .replaceAll('$PSN', device.psn);
}

export interface ParsedProfile {
  root: string;
  params: Record<string, string>;
  /** How many times each name occurred (duplicates are allowed; the last one wins on the device). */
  counts: Record<string, number>;
}

export async function parseProfile(xml: string | Buffer): Promise<ParsedProfile> {
  const tree = (await new Parser({ explicitArray: true }).parseStringPromise(xml.toString())) as Record<string, unknown>;
  const [root, value] = Object.entries(tree)[0]!;
  const params: Record<string, string> = {};
  const counts: Record<string, number> = {};
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [name, children] of Object.entries(node as Record<string, unknown>)) {
      if (name === '$' || name === '_' || !Array.isArray(children)) continue;
      for (const child of children) {
        const leaf = typeof child === 'string' || Object.keys(child as object).every((k) => k === '$' || k === '_');
        if (!leaf) {
          walk(child);
          continue;
        }
        params[name] = typeof child === 'string' ? child.trim() : String((child as { _?: string })._ ?? '').trim();
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
  };
  walk(value);
  return { root, params, counts };
}

/** A realistic Report_Rule body: the device's running parameters as <flat-profile> XML. */
export function runningConfigXml(params: Record<string, string>): string {
  const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = Object.entries(params).map(([name, value]) => `  <${name} ua="na">${escape(value)}</${name}>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<flat-profile>\n${lines.join('\n')}\n</flat-profile>\n`;
}
