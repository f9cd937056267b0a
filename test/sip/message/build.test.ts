import t from 'tap';
import {
  createResponse, reasonPhrase, generateBranch, generateTag, generateCallId, parseMessage, serializeMessage,
  getHeader, getHeaderValues, getTag, type SipRequest,
} from '../../../src/sip/message/index.js';

const INVITE = [
  'INVITE sip:bob@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa',
  'v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb, SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKc',
  'Max-Forwards: 70',
  'f: "A" <sip:alice@h>;tag=111',
  't: <sip:bob@h>',
  'i: call-1',
  'CSeq: 5 INVITE',
  'Contact: <sip:alice@10.0.0.1>',
  'Content-Length: 0', '', '',
].join('\r\n');

t.test('createResponse copies Via/From/To/Call-ID/CSeq per RFC 3261 §8.2.6', async (t) => {
  const parsed = parseMessage(Buffer.from(INVITE));
  if (!parsed.ok) throw new Error(parsed.error);
  const req = parsed.message as SipRequest;
  const res = createResponse(req, 180, undefined, { toTag: 'srv9', headers: [{ name: 'Contact', value: '<sip:bob@127.0.0.1>' }, { name: 'Via', value: 'ignored' }] });
  t.equal(res.reason, 'Ringing');
  t.same(getHeaderValues(res, 'Via'), ['SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa', 'SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKb', 'SIP/2.0/UDP 10.0.0.3;branch=z9hG4bKc'], 'every Via in order');
  t.same(res.headers.map((h) => h.name), ['Via', 'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact'], 'canonical names, extras after, no copied-header duplicates');
  t.equal(getTag(getHeader(res, 'To')!), 'srv9');
  t.notOk(getHeader(res, 'Max-Forwards'), 'request-only headers are not copied');
  const again = parseMessage(serializeMessage(res));
  t.ok(again.ok, 'the response is well-formed on the wire');

  const tagged = createResponse({ ...req, headers: req.headers.map((h) => (h.name === 't' ? { ...h, value: '<sip:bob@h>;tag=existing' } : h)) }, 200, 'Fine', { toTag: 'new', body: Buffer.from('v=0\r\n') });
  t.equal(getTag(getHeader(tagged, 'To')!), 'existing', 'an existing To tag is kept');
  t.equal(tagged.reason, 'Fine');
  t.equal(tagged.body.toString(), 'v=0\r\n');
});

t.test('reason phrases', async (t) => {
  t.equal(reasonPhrase(100), 'Trying');
  t.equal(reasonPhrase(200), 'OK');
  t.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  t.equal(reasonPhrase(486), 'Busy Here');
  t.equal(reasonPhrase(487), 'Request Terminated');
  t.equal(reasonPhrase(603), 'Decline');
  t.equal(reasonPhrase(499), 'Bad Request', 'unknown code falls back to its class');
});

t.test('identifiers are unique and well-formed', async (t) => {
  const branches = new Set(Array.from({ length: 2000 }, generateBranch));
  t.equal(branches.size, 2000);
  for (const b of [...branches].slice(0, 5)) t.match(b, /^z9hG4bK[0-9a-f]{20}$/);
  t.match(generateTag(), /^[0-9a-f]{16}$/);
  t.match(generateCallId(), /^[0-9a-f]{32}$/);
  t.equal(new Set(Array.from({ length: 1000 }, generateCallId)).size, 1000);
});
