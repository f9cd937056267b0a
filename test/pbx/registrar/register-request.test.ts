import t from 'tap';
import { parseRegister, splitOutside, userOf, MAX_CONTACTS } from '../../../src/pbx/registrar/register-request.js';

const base = { to: '<sip:102@pbx.test>', contact: undefined, expires: undefined, callId: 'abc', cseq: '7 REGISTER', userAgent: 'Cisco/SPA303-7.6.2c' };

t.test('contacts with expires and +sip.instance params, several headers joined by commas', async (t) => {
  const r = parseRegister({
    ...base, expires: '600',
    contact: '"Desk, 1st floor" <sip:102@192.168.1.20:5060;transport=udp>;expires=120;+sip.instance="<urn:uuid:abc>", sip:102@10.0.0.5;expires=0',
  });
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.request.contacts, [
    { uri: 'sip:102@192.168.1.20:5060;transport=udp', expires: 120, instanceId: 'urn:uuid:abc' },
    { uri: 'sip:102@10.0.0.5', expires: 0 },
  ], 'a comma inside the quoted name does not split; addr-spec params belong to the header');
  t.equal(r.request.headerExpires, 600);
  t.equal(r.request.aorUser, '102');
  t.equal(r.request.cseq, 7);
  t.equal(r.request.userAgent, 'Cisco/SPA303-7.6.2c');
  t.notOk(r.request.wildcard);
});

t.test('wildcard and query', async (t) => {
  const wildcard = parseRegister({ ...base, contact: '*', expires: '0' });
  t.ok(wildcard.ok && wildcard.request.wildcard && wildcard.request.contacts.length === 0);
  t.same(parseRegister({ ...base, contact: '*', expires: '60' }), { ok: false, reason: 'Contact: * needs Expires: 0' });
  t.same(parseRegister({ ...base, contact: '*, <sip:102@h>', expires: '0' }), { ok: false, reason: 'Contact: * cannot be combined with other contacts' });
  const query = parseRegister(base);
  t.ok(query.ok && query.request.contacts.length === 0 && !query.request.wildcard);
});

t.test('bad requests get a reason naming the problem', async (t) => {
  t.match(parseRegister({ ...base, to: '<tel:+48123>' }), { ok: false, reason: /To header/ });
  t.match(parseRegister({ ...base, callId: '' }), { ok: false, reason: /Call-ID/ });
  t.match(parseRegister({ ...base, cseq: '7 INVITE' }), { ok: false, reason: /CSeq "7 INVITE"/ });
  t.match(parseRegister({ ...base, expires: 'soon' }), { ok: false, reason: /Expires "soon"/ });
  t.match(parseRegister({ ...base, contact: '<http://example.com>' }), { ok: false, reason: /not a sip: URI/ });
  t.match(parseRegister({ ...base, contact: '<sip:102@h>;expires=-1' }), { ok: false, reason: /expires "-1"/ });
  t.match(parseRegister({ ...base, contact: '<sip:102@h' }), { ok: false, reason: /not a sip: URI/ });
  const many = Array.from({ length: MAX_CONTACTS + 1 }, (_, i) => `<sip:102@10.0.0.${i}>`).join(', ');
  t.match(parseRegister({ ...base, contact: many }), { ok: false, reason: /more than 10 contacts/ });
});

t.test('helpers', async (t) => {
  t.same(splitOutside('a, "b, c" <d,e>, f', ','), ['a', '"b, c" <d,e>', 'f']);
  t.equal(userOf('"Anna" <sip:102@pbx.test>;tag=1'), '102');
  t.equal(userOf('sip:10%32@pbx'), '102');
  t.equal(userOf('<sip:pbx.test>'), undefined);
  t.equal(userOf(undefined), undefined);
});
