import t from 'tap';
import { loadCorpus, mutations } from '../../helpers/sip/corpus.js';
import {
  parseMessage, frameStream, serializeMessage, getHeader, getHeaderValues, parseCSeq, type ParseResult,
} from '../../../src/sip/message/index.js';

/**
 * Properties every parse result must have, whatever the input was. Returns the problems
 * found (empty = sane) so thousands of inputs cost one assertion each, not ten.
 */
function insanities(result: ParseResult): string[] {
  if (!result.ok) {
    return typeof result.error === 'string' && result.error.length > 0 ? [] : ['error text is empty'];
  }
  const problems: string[] = [];
  const msg = result.message;
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) if (getHeader(msg, name) === undefined) problems.push(`no ${name}`);
  const cseq = parseCSeq(getHeader(msg, 'CSeq') ?? '');
  if (cseq === null) problems.push('CSeq does not parse');
  else if (msg.kind === 'request' && cseq.method !== msg.method) problems.push('CSeq method differs');
  const declared = getHeader(msg, 'Content-Length');
  if (declared !== undefined && msg.body.length !== Number(declared)) problems.push('body is not Content-Length bytes');
  // what we parsed must serialize into something we parse back the same way
  const again = parseMessage(serializeMessage(msg));
  if (!again.ok) problems.push(`does not re-parse: ${again.error}`);
  else {
    const strip = (m: typeof msg) => JSON.stringify(m.headers.filter((h) => !/^(content-length|l)$/i.test(h.name)));
    if (strip(again.message) !== strip(msg)) problems.push('headers change on re-parse');
    if (!again.message.body.equals(msg.body)) problems.push('body changes on re-parse');
  }
  return problems;
}

t.test('RFC 4475 and everyday messages: valid ones parse, invalid ones explain why', async (t) => {
  const corpus = loadCorpus();
  t.ok(corpus.length >= 45, 'corpus is loaded');
  for (const entry of corpus) {
    const result = parseMessage(entry.data);
    if (entry.valid) {
      t.ok(result.ok, `${entry.name} parses${result.ok ? '' : ': ' + result.error}`);
      t.same(insanities(result), [], `${entry.name} is sane`);
    } else {
      t.notOk(result.ok, `${entry.name} is rejected`);
      if (!result.ok) t.match(result.error, entry.expect ?? /./, `${entry.name}: ${result.error}`);
    }
  }
});

t.test('specific torture expectations', async (t) => {
  const byName = new Map(loadCorpus().map((e) => [e.name, e.data]));
  const parse = (name: string) => {
    const r = parseMessage(byName.get(name)!);
    if (!r.ok) throw new Error(`${name}: ${r.error}`);
    return r.message;
  };
  const wsinv = parse('rfc4475-wsinv');
  t.equal(getHeaderValues(wsinv, 'Via').length, 3, 'wsinv has three Via values across two lines');
  t.equal(getHeader(wsinv, 'NewFangledHeader'), 'newfangled value continued newfangled value', 'folding joins with one space');
  t.equal(getHeader(wsinv, 'Subject'), '', 'empty subject');
  t.equal(wsinv.body.length, 150);
  const dblreq = parse('rfc4475-dblreq');
  t.equal(dblreq.kind === 'request' && dblreq.method, 'REGISTER', 'dblreq: the extra INVITE is ignored');
  t.equal(dblreq.body.length, 0);
  const esc02 = parse('rfc4475-esc02');
  t.equal(getHeaderValues(esc02, 'Contact').length, 2, 'C%6Fntact is not Contact');
  const mpart = parse('rfc4475-mpart01');
  t.ok(mpart.body.includes(Buffer.from([0xff, 0xfe, 0x00])), 'binary body kept as bytes');
  const inv2543 = parse('rfc4475-inv2543');
  t.ok(inv2543.body.toString().startsWith('v=0'), 'no Content-Length over UDP: body is the rest of the datagram');
  const unreason = parse('rfc4475-unreason');
  t.match(unreason.kind === 'response' && unreason.reason, /простое$/, 'UTF-8 reason phrase');
  const intmeth = parse('rfc4475-intmeth');
  t.equal(intmeth.kind === 'request' && intmeth.method, "!interesting-Method0123456789_*+`.%indeed'~");
});

t.test('truncation at every position never throws and never invents a message', async (t) => {
  let parsed = 0;
  let rejected = 0;
  for (const entry of loadCorpus().filter((e) => e.valid)) {
    const full = parseMessage(entry.data);
    if (!full.ok) continue;
    const hasLength = getHeader(full.message, 'Content-Length') !== undefined;
    const bodyStart = entry.data.indexOf('\r\n\r\n') + 4;
    for (let cut = 0; cut < entry.data.length; cut++) {
      const result = parseMessage(entry.data.subarray(0, cut));
      if (result.ok) {
        parsed++;
        // only a cut inside a body without Content-Length (or after the declared body) can parse
        if (!(cut >= bodyStart && (!hasLength || cut >= bodyStart + full.message.body.length))) {
          t.fail(`${entry.name} cut at ${cut} parsed`);
        }
      } else {
        rejected++;
        if (result.error.length === 0) t.fail(`${entry.name} cut at ${cut}: empty error`);
      }
      const frame = frameStream(entry.data.subarray(0, cut));
      if (frame.kind === 'message' && frame.length > cut) t.fail(`${entry.name}: frame longer than buffer`);
    }
  }
  t.ok(rejected > 1000, `truncations rejected (${rejected}); parsed ${parsed}`);
});

t.test('seeded mutations: never throw, results are sane', async (t) => {
  const list = mutations(4475, 1500);
  t.equal(list.length, 1500);
  t.same(mutations(4475, 3).map((m) => m.name), list.slice(0, 3).map((m) => m.name), 'same seed, same mutations');
  let ok = 0;
  const errors = new Set<string>();
  for (const m of list) {
    let result: ParseResult;
    try {
      result = parseMessage(m.data);
    } catch (err) {
      t.fail(`${m.name} threw ${String(err)}`);
      continue;
    }
    const problems = insanities(result);
    if (problems.length > 0) t.fail(`${m.name}: ${problems.join('; ')}`);
    if (result.ok) ok++;
    else {
      errors.add(result.error.replace(/\d+/g, 'N').slice(0, 40));
      if (result.partial !== null && !Array.isArray(result.partial.headers)) t.fail(`${m.name}: partial without headers`);
    }
    const frame = frameStream(m.data);
    if (!['message', 'keepalive', 'incomplete', 'error'].includes(frame.kind)) t.fail(`${m.name}: frame kind ${frame.kind}`);
    if (frame.kind === 'message' && frame.length > m.data.length) t.fail(`${m.name}: frame longer than the buffer`);
  }
  t.pass(`${list.length} mutations parsed without a throw or an insane result`);
  t.ok(ok > 50, `some mutations still parse (${ok})`);
  t.ok(errors.size > 10, `many distinct errors (${errors.size})`);
});

t.test('targeted mutations give the expected errors', async (t) => {
  const names = mutations(7, 400);
  for (const m of names) {
    const r = parseMessage(m.data);
    if (m.name.includes('ten-thousand-headers')) t.match(!r.ok && r.error, /more than 200 header|over the limit of 65535/, m.name);
    if (m.name.includes('bad-utf8-header')) t.match(!r.ok && r.error, /header "X-Bad" is not valid UTF-8/, m.name);
    if (/huge-header-(\d+)/.test(m.name) && Number(/huge-header-(\d+)/.exec(m.name)![1]) > 16384) {
      t.match(!r.ok && r.error, /longer than 16384 bytes|over the limit/, m.name);
    }
    if (m.name.includes('duplicate-to')) t.match(!r.ok && r.error, /To header appears 2 times/, m.name);
  }
});
