/**
 * What the network sent reaches the drachtio-srf app byte for byte (as a real drachtio-server
 * forwards it), so unusual but legal formatting — compact names, folded lines, odd spacing,
 * several Via values on one line — gives the app exactly the header values drachtio-srf's own
 * parser reads from the original bytes. Requests and responses both.
 */
import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import { createUdpPeer, deferred, startEmbeddedServer } from '../helpers/srf.js';
import type { SrfReq, SrfRes } from '../helpers/srf.js';

const require = createRequire(import.meta.url);
// drachtio-srf's message class, i.e. how the app reads a frame's SIP text.
const SrfSipMessage = require('drachtio-srf/lib/sip-parser/message.js') as new (text: string) => {
  get(name: string): string; has(name: string): boolean; body: string; method?: string; status?: number;
};

const CHECKED = ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Subject', 'Contact', 'X-Spacing', 'X-Folded', 'Content-Type'];

function expectSameHeaders(t: Test, got: { get(name: string): string; has(name: string): boolean }, sentText: string): void {
  const reference = new SrfSipMessage(sentText);
  for (const name of CHECKED) {
    t.equal(got.has(name), reference.has(name), `${name} present as drachtio-srf reads the original`);
    if (reference.has(name)) t.equal(got.get(name), reference.get(name), `${name} value as drachtio-srf reads the original`);
  }
}

t.test('an oddly formatted request reaches the app as sent', async (t) => {
  const sut = await startEmbeddedServer(t);
  const seen = deferred<SrfReq>();
  await sut.connectApp((srf) => srf.message((req: SrfReq, res: SrfRes) => {
    seen.resolve(req);
    res.send(200);
  }));
  const peer = await createUdpPeer(t, sut.sipPort);
  const body = 'hello  \r\nwörld';
  const text = [
    `MESSAGE sip:svc@127.0.0.1:${sut.sipPort} SIP/2.0`,
    `v: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKodd1;rport , SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKfar`,
    `f:   "Odd  Caller" <sip:odd@127.0.0.1:${peer.port}>;tag=odd1`,
    `t: <sip:svc@127.0.0.1:${sut.sipPort}>`,
    'i: odd-call-1@host',
    'CSeq:   3   MESSAGE',
    'Max-Forwards:70',
    'Subject: a folded',
    '   subject line',
    'X-Spacing :\ttabbed  value',
    'X-Folded: one,',
    '\ttwo',
    `m: <sip:odd@127.0.0.1:${peer.port}>`,
    'c: text/plain;charset=UTF-8',
    `l: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  peer.send(text);
  const req = await seen.promise;
  t.equal(req.msg.raw, text, 'the app got the received bytes, unchanged');
  t.equal(req.method, 'MESSAGE');
  t.equal(req.body, body, 'body as sent');
  expectSameHeaders(t, req, text);
  t.match(await peer.next(/^SIP\/2\.0 200/), /odd-call-1@host/, 'answered');
});

t.test('an oddly formatted response reaches the app as sent', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp();
  const peer = await createUdpPeer(t, sut.sipPort);
  const req = await app.request(`sip:far@127.0.0.1:${peer.port}`, { method: 'OPTIONS' }) as SrfReq;
  const got = deferred<SrfRes>();
  req.on('response', (res: SrfRes) => got.resolve(res));
  const options = await peer.next(/^OPTIONS /);
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(options)?.[1]?.trim() ?? '';
  const text = [
    'SIP/2.0 200   Fine  Thanks',
    `v:${field('Via')}`,
    `f: ${field('From')}`,
    `t:  ${field('To')} ;tag=far1`,
    `i: ${field('Call-ID')}`,
    `CSeq: ${field('CSeq')}`,
    'Subject: answer',
    ' continued',
    'X-Spacing\t:   x',
    `m: <sip:far@127.0.0.1:${peer.port}>`,
    'l: 0',
    '',
    '',
  ].join('\r\n');
  peer.send(text);
  const res = await got.promise;
  t.equal(res.status, 200);
  t.equal(res.msg.raw, text, 'the app got the received bytes, unchanged');
  expectSameHeaders(t, res, text);
});
