import t from 'tap';
import { proxyFor } from '../../../src/pbx/registrar/contacts.js';
import { contactList } from '../../../src/pbx/registrar/handler.js';
import { normaliseTransport } from '../../../src/pbx/registrar/bindings.js';
import type { Registration } from '../../../src/data/types.js';

t.test('proxy next hop from the received address', async (t) => {
  t.equal(proxyFor('203.0.113.5', 34567, 'udp'), 'sip:203.0.113.5:34567;transport=udp');
  t.equal(proxyFor('::1', 5060, 'tcp'), 'sip:[::1]:5060;transport=tcp', 'IPv6 in brackets');
  t.equal(proxyFor('[::1]', 5060, 'tcp'), 'sip:[::1]:5060;transport=tcp');
});

t.test('200 Contact list: remaining seconds, rounded up, at least 1', async (t) => {
  const b = (contact: string, expiresAt: number) => ({ contact, expiresAt }) as Registration;
  t.equal(contactList([b('sip:a@h', 10_500), b('sip:b@h;transport=tcp', 1_000)], 1_000), '<sip:a@h>;expires=10, <sip:b@h;transport=tcp>;expires=1');
});

t.test('transport names from drachtio', async (t) => {
  t.equal(normaliseTransport('UDP'), 'udp');
  t.equal(normaliseTransport('tcp'), 'tcp');
  t.equal(normaliseTransport('weird'), 'udp');
});
