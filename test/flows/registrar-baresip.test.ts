/** baresip (a real SIP phone stack) registers with digest auth at the PBX; its binding is stored. */
import t from 'tap';
import { startBaresip } from '../helpers/sip/baresip.js';
import { startPbxStack } from '../helpers/pbx/stack.js';

t.test('baresip registers with digest (qop=auth) and its binding appears', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await startBaresip({
    user: '102',
    register: { registrar: `127.0.0.1:${stack.sut.sipPort}`, password: 'secret-102', regint: 600 },
    teardown: (fn) => t.teardown(fn),
  });
  const ok = await phone.waitEvent('REGISTER_OK', 10_000);
  t.match(ok.accountaor, /sip:102@127\.0\.0\.1/);
  const contacts = stack.pbx.findContacts('102');
  t.equal(contacts.length, 1, 'one binding');
  t.match(contacts[0]!.uri, new RegExp(`^sip:102-?[^@]*@127\\.0\\.0\\.1:${phone.sipPort}`));
  t.equal(contacts[0]!.proxy, `sip:127.0.0.1:${phone.sipPort};transport=udp`);
  t.match(contacts[0]!.userAgent, /baresip/i);
});

t.test('baresip with a wrong password fails to register; nothing stored', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await startBaresip({
    user: '102',
    register: { registrar: `127.0.0.1:${stack.sut.sipPort}`, password: 'wrong-password' },
    teardown: (fn) => t.teardown(fn),
  });
  await phone.waitEvent('REGISTER_FAIL', 10_000);
  t.same(stack.pbx.findContacts('102'), []);
});
