import t from 'tap';
import {
  getHeader, getHeaderValues, hasHeader, setHeader, appendHeader, prependHeader, removeHeader,
  canonicalHeaderName, splitTopLevelCommas, type SipRequest,
} from '../../../src/sip/message/index.js';

function request(headers: Array<[string, string]>): SipRequest {
  return { kind: 'request', method: 'INVITE', uri: 'sip:a@h', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0) };
}

t.test('canonical names', async (t) => {
  const cases: Array<[string, string]> = [
    ['call-id', 'Call-ID'], ['v', 'Via'], ['www-authenticate', 'WWW-Authenticate'], ['cseq', 'CSeq'],
    ['i', 'Call-ID'], ['m', 'Contact'], ['e', 'Content-Encoding'], ['l', 'Content-Length'], ['f', 'From'],
    ['t', 'To'], ['s', 'Subject'], ['k', 'Supported'], ['c', 'Content-Type'], ['o', 'Event'],
    ['u', 'Allow-Events'], ['r', 'Refer-To'], ['b', 'Referred-By'], ['x', 'Session-Expires'],
    ['y', 'Identity'], ['a', 'Accept-Contact'], ['d', 'Request-Disposition'], ['j', 'Reject-Contact'],
    ['RSEQ', 'RSeq'], ['rack', 'RAck'], ['x-custom-thing', 'X-Custom-Thing'], ['max-FORWARDS', 'Max-Forwards'],
    ['P-ASSERTED-IDENTITY', 'P-Asserted-Identity'],
  ];
  for (const [input, expected] of cases) t.equal(canonicalHeaderName(input), expected, input);
});

t.test('lookup is case-insensitive and compact-form aware', async (t) => {
  const msg = request([['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'], ['VIA', 'SIP/2.0/UDP b, SIP/2.0/UDP c'], ['CALL-ID', 'x'], ['l', '0']]);
  t.equal(getHeader(msg, 'via'), 'SIP/2.0/UDP a;branch=z9hG4bK1');
  t.equal(getHeader(msg, 'i'), 'x');
  t.equal(getHeader(msg, 'Content-Length'), '0');
  t.same(getHeaderValues(msg, 'Via'), ['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
  t.ok(hasHeader(msg, 'call-id'));
  t.notOk(hasHeader(msg, 'Route'));
  t.same(getHeaderValues(msg, 'Route'), []);
});

t.test('comma splitting respects quotes and <>, and only for list headers', async (t) => {
  const msg = request([
    ['Contact', '"Smith, J" <sip:j@h;x=a,b>;q=0.5, <sip:k@h>'],
    ['WWW-Authenticate', 'Digest realm="a, b", nonce="n", qop="auth,auth-int"'],
    ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ['Allow', 'INVITE,ACK , BYE,,'],
    ['Subject', 'a, b'],
  ]);
  t.same(getHeaderValues(msg, 'm'), ['"Smith, J" <sip:j@h;x=a,b>;q=0.5', '<sip:k@h>']);
  t.same(getHeaderValues(msg, 'WWW-Authenticate'), ['Digest realm="a, b", nonce="n", qop="auth,auth-int"']);
  t.same(getHeaderValues(msg, 'Date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  t.same(getHeaderValues(msg, 'Allow'), ['INVITE', 'ACK', 'BYE']);
  t.same(getHeaderValues(msg, 'Subject'), ['a, b']);
  t.same(splitTopLevelCommas('"a \\" , b", c'), ['"a \\" , b"', 'c'], 'escaped quote inside quotes');
});

t.test('set / append / prepend / remove', async (t) => {
  const msg = request([['Via', 'v1'], ['f', 'from'], ['v', 'v2'], ['Max-Forwards', '70']]);
  prependHeader(msg, 'Via', 'v0');
  t.same(msg.headers.map((h) => h.value), ['v0', 'v1', 'from', 'v2', '70'], 'prepend goes before the first Via');
  prependHeader(msg, 'Record-Route', '<sip:p;lr>');
  t.equal(msg.headers[0]!.name, 'Record-Route', 'no existing header: prepend at the top');
  setHeader(msg, 'via', 'only');
  t.same(getHeaderValues(msg, 'Via'), ['only'], 'set replaces all occurrences, compact ones too');
  t.equal(msg.headers[1]!.name, 'Via', 'set keeps the position of the first occurrence, canonical name');
  setHeader(msg, 'X-New', '1');
  t.equal(msg.headers[msg.headers.length - 1]!.name, 'X-New');
  appendHeader(msg, 'x-new', '2');
  t.same(getHeaderValues(msg, 'X-New'), ['1', '2']);
  t.equal(removeHeader(msg, 'X-NEW'), 2);
  t.equal(removeHeader(msg, 'From'), 1, 'removes the compact f');
  t.notOk(hasHeader(msg, 'From'));
});
