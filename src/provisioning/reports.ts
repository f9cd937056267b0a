/**
 * Report_Rule uploads: the device POSTs its running configuration as `<flat-profile>`
 * XML. This module turns the bytes into a flat parameter map and a firmware version, or
 * into a clear rejection (what was wrong and where). It never stores anything itself,
 * so a rejected upload cannot leave half a report behind.
 */
import { Parser } from 'xml2js';

export type ParsedReport =
  | { ok: true; params: Record<string, string>; firmware: string | null }
  | { ok: false; status: 400 | 413; reason: string };

export interface ReportLimits {
  maxBytes: number;
  /** Nesting below <flat-profile> (SPA112 nests <router-configuration><Time_Setup>…). */
  maxDepth?: number;
  maxParams?: number;
}

/** Parameters that carry the running firmware version, in order of preference. */
const FIRMWARE_PARAMS = ['Software_Version', 'Firmware_Version', 'SW_Version', 'Software_Version_'];

export async function parseReport(body: Buffer, limits: ReportLimits): Promise<ParsedReport> {
  if (body.length > limits.maxBytes) {
    return { ok: false, status: 413, reason: `report is ${body.length} bytes; the limit is ${limits.maxBytes}` };
  }
  if (body.length === 0) return { ok: false, status: 400, reason: 'report body is empty; expected <flat-profile> XML' };
  const text = body.toString('utf8');
  // Entity declarations are how XML bombs and external-entity reads start; SPA reports never have them.
  const declaration = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (declaration) {
    const { line, column } = positionOf(text, declaration.index);
    return {
      ok: false,
      status: 400,
      reason: `report XML must not contain a ${declaration[1]!.toUpperCase()} declaration (line ${line}, column ${column})`,
    };
  }

  let tree: unknown;
  try {
    tree = await new Parser({ explicitArray: true, explicitRoot: true, strict: true }).parseStringPromise(text);
  } catch (err) {
    return { ok: false, status: 400, reason: `malformed report XML: ${describeParserError(err)}` };
  }
  if (!tree || typeof tree !== 'object') {
    return { ok: false, status: 400, reason: 'report body holds no XML element; expected <flat-profile>' };
  }
  const [rootName, rootValue] = Object.entries(tree as Record<string, unknown>)[0] ?? [];
  if (rootName !== 'flat-profile') {
    return { ok: false, status: 400, reason: `report root element is <${rootName}>; expected <flat-profile>` };
  }

  const params: Record<string, string> = {};
  const maxDepth = limits.maxDepth ?? 8;
  const maxParams = limits.maxParams ?? 20_000;
  let count = 0;
  // Iterative walk (explicit stack): hostile nesting cannot exhaust the call stack.
  const stack: Array<{ node: unknown; depth: number; path: string }> = [{ node: rootValue, depth: 0, path: 'flat-profile' }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const [name, children] of Object.entries(node as Record<string, unknown>)) {
      if (name === '$' || name === '_' || !Array.isArray(children)) continue;
      for (const child of children) {
        if (typeof child === 'string' || isLeaf(child)) {
          if (++count > maxParams) {
            return { ok: false, status: 400, reason: `report has more than ${maxParams} parameters` };
          }
          // Duplicate names: last one wins, as on the device.
          params[name] = leafText(child);
        } else if (depth + 1 >= maxDepth) {
          return { ok: false, status: 400, reason: `report nests elements deeper than ${maxDepth} levels (at <${path}/${name}>)` };
        } else {
          stack.push({ node: child, depth: depth + 1, path: `${path}/${name}` });
        }
      }
    }
  }
  const firmwareParam = FIRMWARE_PARAMS.find((name) => params[name]?.trim());
  return { ok: true, params, firmware: firmwareParam ? params[firmwareParam]!.trim() : null };
}

function isLeaf(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return true;
  return Object.keys(node).every((k) => k === '$' || k === '_');
}

function leafText(node: unknown): string {
  if (typeof node === 'string') return node.trim();
  const text = (node as { _?: unknown })._;
  return typeof text === 'string' ? text.trim() : '';
}

function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** sax reports "Unexpected close tag\nLine: 2\nColumn: 8\nChar: >" with a 0-based line. */
export function describeParserError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [what, ...details] = message.split('\n');
  const field = (name: string) => details.find((d) => d.startsWith(`${name}: `))?.slice(name.length + 2);
  const line = field('Line');
  const column = field('Column');
  if (line === undefined || column === undefined) return what ?? message;
  return `${what} at line ${Number(line) + 1}, column ${column}`;
}
