import t from 'tap';
import { parseAppMessage } from '../../../src/sip/core/app-message.js';
import { ensureContentType, filterAppHeaders, formatContact, rewriteLocalhost } from '../../../src/sip/core/header-policy.js';
import type { SipMessage } from '../../../src/sip/message/types.js';

const self = { host: '203.0.113.5', port: 5060 };

t.test('app headers: transport-level ones dropped, names canonical, X- spelling kept', async (t) => {
  const kept = filterAppHeaders([
    { name: 'via', value: 'SIP/2.0/UDP 1.2.3.4' }, { name: 'Route', value: '<sip:x>' }, { name: 'record-route', value: '<sip:y>' },
    { name: 'content-length', value: '12' }, { name: 'RSeq', value: '1' }, { name: 'call-id', value: 'c' },
    { name: 'x-MyHeader', value: 'v' }, { name: 'user-agent', value: 'srf' },
    { name: 'contact', value: '<sip:alice@localhost>' }, { name: 'P-Asserted-Identity', value: '<sip:bob@localhost:5070>' },
  ], self);
  t.same(kept, [
    { name: 'Call-ID', value: 'c' }, { name: 'x-MyHeader', value: 'v' }, { name: 'User-Agent', value: 'srf' },
    { name: 'Contact', value: '<sip:alice@203.0.113.5:5060>' }, { name: 'P-Asserted-Identity', value: '<sip:bob@203.0.113.5:5060>' },
  ]);
});

t.test('localhost rewriting leaves look-alikes alone', async (t) => {
  t.equal(rewriteLocalhost('<sip:localhost>', self), '<sip:203.0.113.5:5060>');
  t.equal(rewriteLocalhost('<sip:1000@localhost;transport=tcp>', self), '<sip:1000@203.0.113.5:5060;transport=tcp>');
  t.equal(rewriteLocalhost('<sip:1000@localhost.example.com>', self), '<sip:1000@localhost.example.com>');
  t.equal(rewriteLocalhost('<sip:a@localhost>', { host: '::1', port: 5070 }), '<sip:a@[::1]:5070>');
});

t.test('Content-Type: SDP is recognised, other bodies need one', async (t) => {
  const sdp: SipMessage = { kind: 'request', method: 'INVITE', uri: 'sip:a@b', headers: [], body: Buffer.from('v=0\r\n') };
  t.same(ensureContentType(sdp), { ok: true });
  t.same(sdp.headers, [{ name: 'Content-Type', value: 'application/sdp' }]);
  const text: SipMessage = { kind: 'request', method: 'INFO', uri: 'sip:a@b', headers: [], body: Buffer.from('hello') };
  t.same(ensureContentType(text), { ok: false, error: 'missing content-type' });
  t.equal(formatContact(self, 'tcp'), '<sip:203.0.113.5:5060;transport=tcp>');
  t.equal(formatContact(self, 'udp'), '<sip:203.0.113.5:5060>');
});

t.test('app SIP text: char-counted Content-Length ignored, body taken as UTF-8 bytes', async (t) => {
  const parsed = parseAppMessage('MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n☎☎');
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  t.equal(parsed.message.body.length, 6, 'bytes, not characters');
  const response = parseAppMessage('SIP/2.0 486 Busy Here\r\nX-A: 1\r\n folded\r\n\r\n');
  t.match(response, { ok: true, message: { kind: 'response', status: 486, reason: 'Busy Here', headers: [{ name: 'X-A', value: '1 folded' }] } });
  t.match(parseAppMessage('HELLO\r\n\r\n'), { ok: false, error: /start line/ });
  t.match(parseAppMessage('INFO sip:a@b SIP/2.0\r\nno colon here\r\n\r\n'), { ok: false, error: /malformed header/ });
  t.match(parseAppMessage('INFO sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n'), { ok: false, error: /invalid header name/ });
});
