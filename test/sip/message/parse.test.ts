import t from 'tap';
import { parseMessage, serializeMessage, getHeader, type SipRequest } from '../../../src/sip/message/index.js';

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, '\r\n'));

const OPTIONS = `OPTIONS sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
From: <sip:alice@127.0.0.1>;tag=1
To: <sip:bob@127.0.0.1>
Call-ID: c1
CSeq: 1 OPTIONS
`;

t.test('request with compact headers, folding and body', async (t) => {
  const r = parseMessage(crlf(`INVITE sip:bob@127.0.0.1 SIP/2.0
v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1
f: <sip:alice@127.0.0.1>;tag=1
t: <sip:bob@127.0.0.1>
i: c1
CSeq: 1 INVITE
Subject: first
\t second
l: 5

hello world`));
  if (!r.ok) throw new Error(r.error);
  const msg = r.message as SipRequest;
  t.equal(msg.method, 'INVITE');
  t.equal(msg.uri, 'sip:bob@127.0.0.1');
  t.equal(getHeader(msg, 'Call-ID'), 'c1');
  t.equal(getHeader(msg, 'subject'), 'first second');
  t.equal(msg.body.toString(), 'hello', 'exactly Content-Length bytes; extra ignored');
  t.equal(msg.headers[0]!.name, 'v', 'names kept as received');
});

t.test('response parses; reason may contain spaces or be empty', async (t) => {
  const head = `Via: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n`;
  const r = parseMessage(crlf(`SIP/2.0 486 Busy Here Right Now\n${head}`));
  t.ok(r.ok && r.message.kind === 'response' && r.message.status === 486 && r.message.reason === 'Busy Here Right Now');
  const r2 = parseMessage(crlf(`SIP/2.0 180\n${head}`));
  t.ok(r2.ok && r2.message.kind === 'response' && r2.message.reason === '');
  const r3 = parseMessage(crlf(`SIP/2.0 099 Low\n${head}`));
  t.match(!r3.ok && r3.error, /status code 099 is not 100-699/);
  const r4 = parseMessage(crlf(`SIP/3.0 200 OK\n${head}`));
  t.match(!r4.ok && r4.error, /unsupported SIP version SIP\/3\.0/);
});

t.test('UTF-8 body is kept as bytes and Content-Length counts bytes', async (t) => {
  const body = Buffer.from('héllo ☎', 'utf8');
  const r = parseMessage(Buffer.concat([crlf(OPTIONS + `Content-Length: ${body.length}\n\n`), body]));
  t.ok(r.ok && r.message.body.equals(body));
});

t.test('Content-Length larger than the body names both numbers', async (t) => {
  const r = parseMessage(Buffer.concat([crlf(OPTIONS + 'Content-Length: 120\n\n'), Buffer.alloc(80, 0x61)]));
  t.notOk(r.ok);
  if (!r.ok) {
    t.equal(r.error, 'Content-Length 120 but only 80 body bytes');
    t.equal(r.partial?.method, 'OPTIONS', 'partial keeps the method for a 400');
    t.equal(r.partial?.headers.length, 6, 'partial keeps every header');
  }
});

t.test('without Content-Length a datagram body is the rest of the datagram', async (t) => {
  const r = parseMessage(crlf(OPTIONS + '\nrest of it'));
  t.ok(r.ok && r.message.body.toString() === 'rest of it');
});

t.test('invalid UTF-8 in a header names the header and line', async (t) => {
  const bad = Buffer.concat([crlf(OPTIONS.replace('CSeq: 1 OPTIONS\n', '')), Buffer.from('X-Name: \xff\xfe', 'latin1'), crlf('\nCSeq: 1 OPTIONS\n\n')]);
  const r = parseMessage(bad);
  t.match(!r.ok && r.error, /^line 6: header "X-Name" is not valid UTF-8$/);
});

t.test('mandatory headers and CSeq method', async (t) => {
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    const text = OPTIONS.split('\n').filter((l) => !l.startsWith(name + ':')).join('\n') + '\n';
    const r = parseMessage(crlf(text));
    t.match(!r.ok && r.error, new RegExp(`missing mandatory ${name} header`), `missing ${name}`);
  }
  const r = parseMessage(crlf(OPTIONS.replace('1 OPTIONS', '1 INVITE') + '\n'));
  t.match(!r.ok && r.error, /CSeq method INVITE does not match request method OPTIONS/);
});

t.test('limits: bytes, headers, line length', async (t) => {
  const big = Buffer.concat([crlf(OPTIONS + 'Content-Length: 70000\n\n'), Buffer.alloc(70000)]);
  const r1 = parseMessage(big);
  t.match(!r1.ok && r1.error, /message is \d+ bytes, over the limit of 65535/);
  t.ok(!r1.ok && r1.partial && r1.partial.headers.length === 6, 'oversized message still yields headers for a reply');
  const many = crlf(OPTIONS + 'X-A: 1\n'.repeat(250) + '\n');
  t.match((r => !r.ok && r.error)(parseMessage(many)), /more than 200 header lines/);
  t.ok(parseMessage(many, { maxHeaders: 300 }).ok, 'maxHeaders is configurable');
  const long = crlf(OPTIONS + `X-Long: ${'a'.repeat(20000)}\n\n`);
  t.match((r => !r.ok && r.error)(parseMessage(long)), /line 7 is longer than 16384 bytes/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS + '\n'), { maxBytes: 50 })), /over the limit of 50/);
});

t.test('malformed lines say where', async (t) => {
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS + 'no colon here\n\n'))), /line 7: header line without ':' "no colon here"/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS.replace('OPTIONS sip', ' OPTIONS sip') + '\n'))), /line 1/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS))), /does not end with an empty line/);
  t.match((r => !r.ok && r.error)(parseMessage(Buffer.alloc(0))), /empty message/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf('\n\n\n'))), /empty message/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS + 'Bad Name: x\n\n'))), /line 7: invalid header name "Bad Name"/);
  t.match((r => !r.ok && r.error)(parseMessage(crlf(OPTIONS.replace('CSeq: 1', 'CSeq: x') + '\n'))), /CSeq header: "x OPTIONS"/);
  t.match((r => !r.ok && r.error)(parseMessage(Buffer.from(OPTIONS.replace(/\n/g, '\r\n').replace('tag=1', 'tag=\r1') + '\r\n'))), /line 3: stray CR inside "From:"/);
});

t.test('leading CRLFs are ignored and bare-LF lines are tolerated', async (t) => {
  t.ok(parseMessage(crlf('\n\n' + OPTIONS + '\n')).ok);
  t.ok(parseMessage(Buffer.from(OPTIONS + '\n')).ok);
});

t.test('serialize: start line, headers in order, Content-Length from body bytes', async (t) => {
  const r = parseMessage(crlf(OPTIONS + 'l: 99\nX-Z: z\n\n' + 'x'.repeat(99)));
  if (!r.ok) throw new Error(r.error);
  r.message.body = Buffer.from('ü');
  r.message.headers.push({ name: 'X-Inject', value: 'a\r\nVia: evil' });
  const wire = serializeMessage(r.message).toString();
  t.equal(wire, OPTIONS.replace(/\n/g, '\r\n') + 'X-Z: z\r\nX-Inject: a Via: evil\r\nContent-Length: 2\r\n\r\nü');
});

t.test('bodyIsRest: app-built text whose Content-Length counts characters', async (t) => {
  const text = OPTIONS.replace(/\n/g, '\r\n') + 'Content-Length: 7\r\n\r\nhé ☎ ok';
  const strict = parseMessage(Buffer.from(text));
  t.ok(strict.ok && strict.message.body.toString() !== 'hé ☎ ok', 'strict parsing stops at 7 bytes');
  const relaxed = parseMessage(Buffer.from(text), { bodyIsRest: true });
  t.ok(relaxed.ok && relaxed.message.body.toString() === 'hé ☎ ok', 'the whole rest is the body');
});

t.test('a broken header line does not hide the headers after it', async (t) => {
  const text = 'INVITE sip:b@h SIP/2.0\nno colon\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: c\nCSeq: 1 INVITE\n\n';
  const r = parseMessage(crlf(text));
  t.notOk(r.ok);
  if (!r.ok) {
    t.equal(r.error, `line 2: header line without ':' "no colon"`);
    t.same(r.partial?.headers.map((h) => h.name), ['Via', 'From', 'To', 'Call-ID', 'CSeq'], 'everything needed for a 400 is salvaged');
  }
});

t.test('requireMandatory:false accepts app-built text that leaves headers to the server', async (t) => {
  const appResponse = crlf('SIP/2.0 200 OK\nCall-ID: c1\nCSeq: 1 INVITE\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nContact: <sip:app@h>\n\n');
  t.match((r => !r.ok && r.error)(parseMessage(appResponse)), /missing mandatory Via header/, 'strict by default');
  t.ok(parseMessage(appResponse, { requireMandatory: false }).ok, 'no Via needed');
  const appRequest = crlf('INVITE sip:b@h SIP/2.0\nContent-Type: application/sdp\n\nv=0\n');
  const r = parseMessage(appRequest, { requireMandatory: false, bodyIsRest: true });
  t.ok(r.ok && r.message.body.toString() === 'v=0\r\n', 'a bare request with a body');
  const broken = crlf('INVITE sip:b@h SIP/2.0\nCSeq: 1 BYE\n\n');
  t.match((r2 => !r2.ok && r2.error)(parseMessage(broken, { requireMandatory: false })), /CSeq method BYE does not match/, 'present headers are still checked');
});
