import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { seedOffice } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';
import { registrationsFromRepository } from '../../src/web/index.js';

t.test('installer: MAC checked, model pre-filled from sightings, save, status moves on', async (t) => {
  const s = await buildWebStack(t, { options: { stallAfterMs: 1000 } });
  await s.addUser('tech', 'installer');
  seedOffice(s.repos);
  const b = (await login(s.app, 'tech')).session!;

  const bad = await b.get('/installer?mac=00:11:22');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /is not a MAC address/);
  t.match(bad.body, /value="00:11:22"/, 'what was typed stays in the field');

  const mac = 'a0b1c2d3e4f5';
  await s.app.inject({ method: 'GET', url: '/spa112.cfg', headers: { 'user-agent': spaUserAgent('SPA112', '1.4.1', mac) } });
  await s.service.flush();
  const seen = await b.get('/installer?mac=A0-B1-C2-D3-E4-F5');
  t.equal(seen.statusCode, 200);
  t.match(seen.body, /seen on the network as <strong>spa112<\/strong>/);
  t.match(seen.body, /<option value="spa112" selected>/);

  const noLine = await b.post('/installer', { mac, model: 'spa112' });
  t.equal(noLine.statusCode, 400);
  t.match(noLine.body, /choose an extension for port 1/);

  const saved = await b.post('/installer', { mac, model: 'spa112', line1: '102' });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/installer?mac=${mac}&saved=1`);
  t.same(s.repos.devices.get(mac)!.lines, ['102']);
  t.equal(s.repos.audit.recent(5)[0]!.actor, 'user:tech');

  const status = async () => (await b.get(`/installer/status/${mac}`)).json() as { current: string; hint: string | null; registered: { state: string } };
  let st = await status();
  t.equal(st.current, 'fetched', 'seen already (the bootstrap fetch), profile not yet');
  t.equal(st.hint, null, 'no hint before the stall time');
  t.equal(st.registered.state, 'unknown', 'no registrations source: unknown');
  s.clock.now = Date.now() + 5000;
  st = await status();
  t.match(st.hint, /has not fetched its own profile/);

  await s.app.inject({ method: 'GET', url: `/spa/${mac}.xml`, headers: { 'user-agent': spaUserAgent('SPA112', '1.4.1', mac) } });
  await s.service.flush();
  st = await status();
  t.equal(st.current, 'registered');
  t.equal(st.hint, null);

  const badStatus = await b.get('/installer/status/zzz');
  t.equal(badStatus.statusCode, 400);
  t.match(badStatus.json(), { error: { field: 'mac' } });
});

t.test('status: never seen → DHCP hint; registrations source decides "registered"', async (t) => {
  let registered = false;
  const s = await buildWebStack(t, { options: { stallAfterMs: 1000 }, registrationsFor: () => ({ registered, detail: registered ? 'line 1' : null }) });
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const b = (await login(s.app, 'anna')).session!;
  const mac = '0011223344aa';
  s.clock.now = Date.now() + 5000;
  let st = (await b.get(`/installer/status/${mac}`)).json() as { current: string; hint: string };
  t.equal(st.current, 'seen');
  t.match(st.hint, /DHCP option 66 points to 127\.0\.0\.1/);
  await s.app.inject({ method: 'GET', url: `/spa/${mac}.xml`, headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', mac) } });
  await s.service.flush();
  st = (await b.get(`/installer/status/${mac}`)).json() as { current: string; hint: string };
  t.equal(st.current, 'registered');
  registered = true;
  st = (await b.get(`/installer/status/${mac}`)).json() as { current: string; hint: string };
  t.equal(st.current, 'done');
  t.equal((await s.app.inject({ method: 'GET', url: `/installer/status/${mac}` })).statusCode, 401, 'JSON 401 without a session');
});

t.test('registrationsFromRepository: registered once every line has a live binding', async (t) => {
  const s = await buildWebStack(t);
  seedOffice(s.repos);
  let now = Date.now();
  const lookup = registrationsFromRepository(s.repos, () => now);
  t.equal(lookup('ffffffffffff'), null, 'unknown device');
  t.same(lookup('0011223344aa'), { registered: false, detail: '0 of 2 line(s) registered' });
  const binding = (extension: string) => ({
    extension, contact: `sip:${extension}@192.168.1.20:5060`, expiresAt: now + 60_000, callId: `c-${extension}`, cseq: 1,
    receivedAddress: '192.168.1.20', receivedPort: 5060, transport: 'udp' as const, userAgent: null, instanceId: null, registeredAt: now,
  });
  s.repos.registrations.save(binding('101'));
  t.same(lookup('0011223344aa'), { registered: false, detail: '1 of 2 line(s) registered' });
  s.repos.registrations.save(binding('102'));
  t.same(lookup('0011223344aa'), { registered: true, detail: '2 of 2 line(s) registered' });
  now += 120_000;
  t.equal(lookup('0011223344aa')!.registered, false, 'expired bindings do not count');
});
