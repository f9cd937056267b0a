/**
 * The SIP robustness corpus as bytes: RFC 4475 torture messages, a few everyday messages
 * shaped like what SPA303/SPA112 phones send, and seeded mutations of the valid ones.
 * Server tests can replay the same data over UDP/TCP.
 */
import { TORTURE_CASES } from '../../sip/corpus/rfc4475.js';

export interface CorpusEntry {
  name: string;
  data: Buffer;
  valid: boolean;
  /** For invalid entries: what the parser's error must say. */
  expect?: RegExp;
}

/** LF → CRLF, then "@LEN@" → the byte length of what follows the blank line. */
export function toWire(text: string, tail: Buffer = Buffer.alloc(0)): Buffer {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  const headerEnd = crlf.indexOf('\r\n\r\n');
  let head = crlf;
  if (crlf.includes('@LEN@') && headerEnd !== -1) {
    const bodyLength = Buffer.byteLength(crlf.slice(headerEnd + 4), 'utf8') + tail.length;
    head = crlf.replace('@LEN@', String(bodyLength));
  }
  return Buffer.concat([Buffer.from(head, 'utf8'), tail]);
}

const EVERYDAY: Array<{ name: string; text: string }> = [
  {
    name: 'spa303-register',
    text: `REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-5e1f2a3b;rport
From: "Reception" <sip:101@127.0.0.1>;tag=a1b2c3d4e5
To: "Reception" <sip:101@127.0.0.1>
Call-ID: 9b1c6a3f-4e2d1a0c@127.0.0.1
CSeq: 53517 REGISTER
Max-Forwards: 70
Authorization: Digest username="101",realm="hookflash",nonce="6a1f0e",uri="sip:127.0.0.1",algorithm=MD5,response="0c6a2e5ff0b1f9b0a5d2c3e4f5a6b7c8",qop=auth,nc=00000001,cnonce="1d2e3f"
Contact: "Reception" <sip:101@127.0.0.1:5060>;expires=3600
User-Agent: Cisco/SPA303-7.6.2c
Content-Length: 0
Allow: ACK, BYE, CANCEL, INFO, INVITE, NOTIFY, OPTIONS, REFER, UPDATE
Supported: replaces

`,
  },
  {
    name: 'invite-with-sdp',
    text: `INVITE sip:102@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-524287-1---f3a1;rport
Max-Forwards: 70
Contact: <sip:101@127.0.0.1:5062>
To: <sip:102@127.0.0.1>
From: "Alice" <sip:101@127.0.0.1>;tag=4f1a9b2c
Call-ID: YzQ5ZDBhODg3NmU5
CSeq: 1 INVITE
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE
Content-Type: application/sdp
Supported: replaces, 100rel
User-Agent: baresip
Content-Length: @LEN@

v=0
o=- 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 42000 RTP/AVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=sendrecv
`,
  },
  {
    name: 'response-401',
    text: `SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-5e1f2a3b;rport=5060;received=127.0.0.1
From: "Reception" <sip:101@127.0.0.1>;tag=a1b2c3d4e5
To: "Reception" <sip:101@127.0.0.1>;tag=srv1
Call-ID: 9b1c6a3f-4e2d1a0c@127.0.0.1
CSeq: 53517 REGISTER
WWW-Authenticate: Digest realm="hookflash, office", nonce="6a1f0e", qop="auth", algorithm=MD5
Content-Length: 0

`,
  },
  {
    name: 'refer-with-replaces',
    text: `REFER sip:101@127.0.0.1:5062 SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:5072;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: <sip:101@127.0.0.1>;tag=4f1a9b2c
From: <sip:102@127.0.0.1>;tag=77aa
Call-ID: YzQ5ZDBhODg3NmU5
CSeq: 2 REFER
Refer-To: <sip:carol@127.0.0.1?Replaces=abc%40h%3Bfrom-tag%3D1%3Bto-tag%3D2>
Referred-By: <sip:102@127.0.0.1>
Contact: <sip:102@127.0.0.1:5072;transport=tcp>
Content-Length: 0

`,
  },
  {
    name: 'ipv6-options',
    text: `OPTIONS sip:[::1]:5060 SIP/2.0
Via: SIP/2.0/UDP [::1]:5070;branch=z9hG4bKv6opt;rport
From: <sip:ping@[::1]>;tag=v6
To: <sip:[::1]:5060>
Call-ID: v6opt@::1
CSeq: 7 OPTIONS
Max-Forwards: 70
Content-Length: 0

`,
  },
];

export function loadCorpus(): CorpusEntry[] {
  const entries: CorpusEntry[] = TORTURE_CASES.map((c) => {
    const entry: CorpusEntry = { name: `rfc4475-${c.name}`, data: toWire(c.text, c.tail), valid: c.valid };
    if (c.expect !== undefined) entry.expect = c.expect;
    return entry;
  });
  for (const e of EVERYDAY) entries.push({ name: e.name, data: toWire(e.text), valid: true });
  return entries;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Mutation {
  name: string;
  data: Buffer;
}

type Mutator = (data: Buffer, random: () => number) => { label: string; data: Buffer };

function headerEnd(data: Buffer): number {
  const end = data.indexOf('\r\n\r\n');
  return end === -1 ? data.length : end;
}

function replaceHeaderLine(data: Buffer, pattern: RegExp, replacement: string): Buffer {
  const end = headerEnd(data);
  const head = data.subarray(0, end).toString('latin1').replace(pattern, replacement);
  return Buffer.concat([Buffer.from(head, 'latin1'), data.subarray(end)]);
}

function insertAfterStartLine(data: Buffer, extra: Buffer): Buffer {
  const firstLine = data.indexOf('\r\n') + 2;
  return Buffer.concat([data.subarray(0, firstLine), extra, data.subarray(firstLine)]);
}

const MUTATORS: Mutator[] = [
  (d, r) => { const at = Math.floor(r() * d.length); return { label: `truncate@${at}`, data: d.subarray(0, at) }; },
  (d, r) => {
    const copy = Buffer.from(d);
    const flips = 1 + Math.floor(r() * 8);
    for (let i = 0; i < flips; i++) copy[Math.floor(r() * copy.length)] = Math.floor(r() * 256);
    return { label: `flip×${flips}`, data: copy };
  },
  (d, r) => {
    const values = ['-1', '999999', 'abc', '1e3', '', '12 13', '99999999999'];
    const value = values[Math.floor(r() * values.length)]!;
    return { label: `content-length=${JSON.stringify(value)}`, data: replaceHeaderLine(d, /^(Content-Length|l)[ \t]*:.*$/im, `Content-Length: ${value}`) };
  },
  (d, r) => {
    const size = 1000 + Math.floor(r() * 100_000);
    return { label: `huge-header-${size}`, data: insertAfterStartLine(d, Buffer.from(`X-Huge: ${'x'.repeat(size)}\r\n`)) };
  },
  (d) => ({ label: 'ten-thousand-headers', data: insertAfterStartLine(d, Buffer.from('X-Many: 1\r\n'.repeat(10_000))) }),
  (d, r) => {
    const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])][Math.floor(r() * 4)]!;
    return { label: 'bad-utf8-header', data: insertAfterStartLine(d, Buffer.concat([Buffer.from('X-Bad: a'), bad, Buffer.from('b\r\n')])) };
  },
  (d) => ({ label: 'cseq-method-swapped', data: replaceHeaderLine(d, /^(CSeq[ \t]*:[ \t]*\d+[ \t]+)\S+/im, '$1BOGUS') }),
  (d, r) => {
    const names = ['Via|v', 'From|f', 'To|t', 'Call-ID|i', 'CSeq'];
    const name = names[Math.floor(r() * names.length)]!;
    return { label: `drop-${name.split('|')[0]!}`, data: replaceHeaderLine(d, new RegExp(`^(${name})[ \\t]*:.*(\\r\\n[ \\t]+.*)*\\r\\n`, 'gim'), '') };
  },
  (d, r) => {
    const at = Math.floor(r() * d.length);
    const junk = ['\r\n', '\r\n\r\n', '\0', ':', '<', '"', ' \t', '\n'][Math.floor(r() * 8)]!;
    return { label: `insert-${JSON.stringify(junk)}@${at}`, data: Buffer.concat([d.subarray(0, at), Buffer.from(junk), d.subarray(at)]) };
  },
  (d, r) => {
    const copy = Buffer.from(d);
    const start = Math.floor(r() * copy.length);
    const length = Math.floor(r() * 40);
    copy.fill(0, start, Math.min(copy.length, start + length));
    return { label: `zero-run@${start}`, data: copy };
  },
  (d) => ({ label: 'duplicate-to', data: insertAfterStartLine(d, Buffer.from('To: <sip:someone@else.example>\r\n')) }),
  (d, r) => {
    const lines = d.subarray(0, headerEnd(d)).toString('latin1').split('\r\n');
    const start = lines.shift()!;
    for (let i = lines.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    return { label: 'shuffled-headers', data: Buffer.concat([Buffer.from([start, ...lines].join('\r\n'), 'latin1'), d.subarray(headerEnd(d))]) };
  },
];

/**
 * `count` deterministic mutations of the valid corpus entries. The same seed always gives
 * the same list, so a failure is reproducible from its name alone.
 */
export function mutations(seed: number, count: number): Mutation[] {
  const random = seededRandom(seed);
  const sources = loadCorpus().filter((e) => e.valid);
  const out: Mutation[] = [];
  for (let i = 0; i < count; i++) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const mutator = MUTATORS[Math.floor(random() * MUTATORS.length)]!;
    const { label, data } = mutator(source.data, random);
    out.push({ name: `${seed}/${i} ${source.name} ${label}`, data });
  }
  return out;
}
