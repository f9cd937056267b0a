import t from 'tap';
import {
  parseUri, formatUri, parseNameAddr, formatNameAddr, parseVia, formatVia, parseCSeq, getTag, parseAuthHeader,
  formatAuthHeader,
} from '../../../src/sip/message/index.js';

t.test('parseUri: sip, sips, tel, userinfo escapes, IPv6, params, headers', async (t) => {
  t.same(parseUri('sip:alice:secret@example.com:5070;transport=TCP;lr'), {
    scheme: 'sip', user: 'alice', password: 'secret', host: 'example.com', port: 5070,
    params: { transport: 'TCP', lr: null }, headers: {},
  });
  t.same(parseUri('SIPS:[::1]:5061'), { scheme: 'sips', user: null, password: null, host: '::1', port: 5061, params: {}, headers: {} });
  t.equal(parseUri('sip:I%20have%20spaces@example.net')?.user, 'I have spaces');
  t.equal(parseUri('sip:user;par=u%40example.net@example.com')?.user, 'user;par=u@example.net');
  t.equal(parseUri('sip:null-%00-null@example.com')?.user, 'null-\0-null', 'escaped NUL survives');
  const refer = parseUri('sip:carol@h?Replaces=abc%3Bfrom-tag%3D1%3Bto-tag%3D2');
  t.same(refer?.headers, { Replaces: 'abc;from-tag=1;to-tag=2' });
  t.equal(formatUri(refer!), 'sip:carol@h?Replaces=abc%3Bfrom-tag%3D1%3Bto-tag%3D2', 'round trip re-escapes');
  t.same(parseUri('tel:+1-201-555-0123;phone-context=example.com'), {
    scheme: 'tel', user: '+1-201-555-0123', password: null, host: '', port: null, params: { 'phone-context': 'example.com' }, headers: {},
  });
  for (const bad of ['http://x', 'sip:', 'sip:a@', 'sip:a b@h', 'sip:h:99999', 'sip:[::1', 'sip:h:port', '<sip:a@h>', 'sip:@h', 'sip:h;;x', 'sip:bad_host!']) {
    t.equal(parseUri(bad), null, `rejects ${bad}`);
  }
  t.equal(formatUri({ scheme: 'sip', user: 'a b', password: null, host: '::1', port: 5060, params: { transport: 'udp' }, headers: {} }), 'sip:a%20b@[::1]:5060;transport=udp');
});

t.test('parseNameAddr: quoted and token display names, params, addr-spec', async (t) => {
  t.same(parseNameAddr('"Joe \\"J\\" Smith" <sip:joe@h>;tag=9;expires=60'), { displayName: 'Joe "J" Smith', uri: 'sip:joe@h', params: { tag: '9', expires: '60' } });
  t.same(parseNameAddr('Joe  Smith <sip:joe@h>'), { displayName: 'Joe Smith', uri: 'sip:joe@h', params: {} });
  t.same(parseNameAddr('caller<sip:caller@example.com>;tag=323'), { displayName: 'caller', uri: 'sip:caller@example.com', params: { tag: '323' } });
  t.same(parseNameAddr('sip:j@h;tag=1'), { displayName: null, uri: 'sip:j@h', params: { tag: '1' } }, 'addr-spec: params belong to the header');
  t.same(parseNameAddr('<sip:j@h;transport=tcp>;+sip.instance="<urn:uuid:1>"'), { displayName: null, uri: 'sip:j@h;transport=tcp', params: { '+sip.instance': '"<urn:uuid:1>"' } });
  for (const bad of ['"unterminated <sip:a@h>', 'Bell, Alexander <sip:a@h>', '< sip:a@h >', 'sip:a@h?x=y', '<sip:a@h', '<sip:a@h>;', '<sip:a@h> junk', '']) {
    t.equal(parseNameAddr(bad), null, `rejects ${JSON.stringify(bad)}`);
  }
  t.equal(formatNameAddr({ displayName: 'A "b"', uri: 'sip:a@h', params: { tag: 'x', lr: null } }), '"A \\"b\\"" <sip:a@h>;tag=x;lr');
  t.equal(formatNameAddr({ displayName: null, uri: 'sip:a@h', params: {} }), '<sip:a@h>');
  t.equal(getTag('<sip:a@h>;tag=abc'), 'abc');
  t.equal(getTag('sip:a@h'), null);
  t.equal(getTag('garbage <'), null);
});

t.test('parseVia: LWS everywhere, IPv6, params', async (t) => {
  t.same(parseVia('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport;received=10.0.0.1'), {
    transport: 'UDP', host: '127.0.0.1', port: 5060, params: { branch: 'z9hG4bK1', rport: null, received: '10.0.0.1' },
  });
  t.same(parseVia('SIP  /   2.0 /udp    192.0.2.2 ; branch = 390skdjuw'), { transport: 'UDP', host: '192.0.2.2', port: null, params: { branch: '390skdjuw' } });
  t.same(parseVia('SIP/2.0/TCP [::1]:5070;branch=z9hG4bKx'), { transport: 'TCP', host: '::1', port: 5070, params: { branch: 'z9hG4bKx' } });
  for (const bad of ['SIP/2.0/UDP', 'SIP/3.0/UDP h', 'SIP/2.0/UDP h;;', 'HTTP/2.0/UDP h', 'SIP/2.0/UDP h:99999', 'SIP/2.0/UDP h;branch=', 'SIP/2.0 UDP h']) {
    t.equal(parseVia(bad), null, `rejects ${bad}`);
  }
  t.equal(formatVia({ transport: 'UDP', host: '::1', port: 5060, params: { branch: 'z9hG4bK1', rport: null } }), 'SIP/2.0/UDP [::1]:5060;branch=z9hG4bK1;rport');
});

t.test('parseCSeq', async (t) => {
  t.same(parseCSeq('0009  INVITE'), { seq: 9, method: 'INVITE' });
  t.same(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
  for (const bad of ['2147483648 BYE', 'INVITE', '1', '-1 BYE', '1 BYE x', '36893488147419103232 REGISTER', '1 IN<VITE']) {
    t.equal(parseCSeq(bad), null, `rejects ${bad}`);
  }
});

t.test('parseAuthHeader: quoted commas, unquoted values, credentials', async (t) => {
  t.same(parseAuthHeader('Digest realm="a, b", nonce="n\\"1", qop="auth,auth-int", algorithm=MD5, stale=FALSE'), {
    scheme: 'Digest', params: { realm: 'a, b', nonce: 'n"1', qop: 'auth,auth-int', algorithm: 'MD5', stale: 'FALSE' },
  });
  const creds = parseAuthHeader('Digest username="101",realm="hf",nonce="x",uri="sip:127.0.0.1",response="abc",qop=auth,nc=00000001,cnonce="c"');
  t.equal(creds?.params['uri'], 'sip:127.0.0.1');
  t.equal(creds?.params['nc'], '00000001');
  t.same(parseAuthHeader('NoOneKnowsThisScheme opaque-data=here'), { scheme: 'NoOneKnowsThisScheme', params: { 'opaque-data': 'here' } });
  for (const bad of ['', 'Digest realm="unterminated', 'Digest realm', 'Digest =x', 'Digest a=1 b=2']) t.equal(parseAuthHeader(bad), null, `rejects ${JSON.stringify(bad)}`);
  t.equal(formatAuthHeader({ scheme: 'Digest', params: { realm: 'r', nonce: 'n', algorithm: 'MD5' } }), 'Digest realm="r", nonce="n", algorithm=MD5');
});
