import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import type { NewRegistration } from '../../src/data/types.js';
import { silentLogger } from '../../src/log.js';

const logger = silentLogger();
const NOW = 1_700_000_000_000;

function binding(over: Partial<NewRegistration> = {}): NewRegistration {
  return {
    extension: '102', contact: 'sip:102@192.168.1.20:5060', expiresAt: NOW + 3600_000, callId: 'c1', cseq: 1,
    receivedAddress: '203.0.113.5', receivedPort: 34567, transport: 'udp', userAgent: 'Cisco/SPA303', instanceId: null,
    registeredAt: NOW, ...over,
  };
}

function open(t: Test) {
  const dir = t.testdir();
  const repos = openRepositories({ dataDir: dir, logger });
  t.teardown(() => repos.close());
  repos.extensions.add({ number: '102', displayName: 'Anna', sipPassword: 'secret-102' });
  repos.extensions.add({ number: '103', displayName: 'Bob', sipPassword: 'secret-103' });
  return { dir, repos };
}

t.test('save, refresh, live filtering, several contacts, sweep', async (t) => {
  const { repos } = open(t);
  const r = repos.registrations;
  t.same(r.save(binding()), binding());
  r.save(binding({ contact: 'sip:102@10.0.0.9;transport=tcp', expiresAt: NOW + 60_000, transport: 'tcp' }));
  t.equal(r.live('102', NOW).length, 2);
  t.same(r.live('102', NOW).map((b) => b.contact), ['sip:102@192.168.1.20:5060', 'sip:102@10.0.0.9;transport=tcp'], 'longest-lived first');
  r.save(binding({ cseq: 2, expiresAt: NOW + 7200_000, receivedPort: 40000 }));
  t.equal(r.get('102', 'sip:102@192.168.1.20:5060')!.receivedPort, 40000, 'refresh updates in place');
  t.equal(r.live('102', NOW).length, 2, 'no duplicate binding on refresh');
  t.same(r.live('102', NOW + 61_000).map((b) => b.contact), ['sip:102@192.168.1.20:5060'], 'expired contact filtered on read');
  t.equal(r.allLive(NOW).length, 2);
  t.equal(r.sweep(NOW + 61_000), 1);
  t.equal(r.remove('102', 'sip:102@192.168.1.20:5060'), true);
  t.equal(r.remove('102', 'sip:102@192.168.1.20:5060'), false);
  r.save(binding());
  r.save(binding({ contact: 'sip:102@h2' }));
  t.equal(r.removeAll('102'), 2);
});

t.test('bindings survive reopening the file; deleting the extension removes them', async (t) => {
  const { dir, repos } = open(t);
  repos.registrations.save(binding());
  repos.close();
  const again = openRepositories({ dataDir: dir, logger });
  t.teardown(() => again.close());
  t.same(again.registrations.live('102', NOW), [binding()]);
  again.extensions.remove('102');
  t.same(again.registrations.allLive(NOW), []);
});

t.test('bad bindings are refused with clear errors and nothing is stored', async (t) => {
  const { repos } = open(t);
  const r = repos.registrations;
  t.throws(() => r.save(binding({ extension: '999' })), { message: 'registration: extension 999 does not exist' });
  t.throws(() => r.save(binding({ extension: 'x' })), { message: /not an extension number/ });
  t.throws(() => r.save(binding({ contact: 'http://x' })), { message: /contact "http:\/\/x" is not a sip: URI/ });
  t.throws(() => r.save(binding({ receivedPort: 0 })), { message: /receivedPort 0 is not a port/ });
  t.throws(() => r.save(binding({ transport: 'sctp' as 'udp' })), { message: /transport "sctp"/ });
  t.throws(() => r.save(binding({ expiresAt: -5 })), { message: /expiresAt must be a non-negative integer/ });
  t.throws(() => r.save(binding({ callId: '' })), { message: /callId is missing/ });
  t.same(r.allLive(0), []);
});
