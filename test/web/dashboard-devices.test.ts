/**
 * Dashboard counts (devices registered, devices seen but not assigned), the devices list's
 * status, firmware and last Report_Rule report, the device page's report line, readable times,
 * and the forwarding form's number box script.
 */
import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { seedOffice, SPA112_MAC, SPA303_MAC } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';

t.test('dashboard: registered devices out of all, and devices seen but not assigned', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const admin = (await login(s.app, 'anna')).session!;
  const binding = (extension: string) => ({
    extension, contact: `sip:${extension}@192.168.1.20:5060`, expiresAt: s.clock.now + 60_000, callId: `c-${extension}`, cseq: 1,
    receivedAddress: '192.168.1.20', receivedPort: 5060, transport: 'udp' as const, userAgent: null, instanceId: null, registeredAt: s.clock.now,
  });

  let dash = await admin.get('/admin');
  t.match(dash.body, /id="registered-devices"><span class="n">0 of 2<\/span> devices registered/);
  t.match(dash.body, /id="unassigned-count"><span class="n">0<\/span> seen, not assigned/);

  s.repos.registrations.save(binding('101'));
  dash = await admin.get('/admin');
  t.match(dash.body, /<span class="n">0 of 2<\/span> devices registered/, 'one line of two is not a registered SPA303');
  t.match(dash.body, /<span class="n">1<\/span> registered lines/);
  s.repos.registrations.save(binding('102'));
  s.repos.registrations.save(binding('201'));
  dash = await admin.get('/admin');
  t.match(dash.body, /<span class="n">2 of 2<\/span> devices registered/);
  s.clock.now += 61_000;
  t.match((await admin.get('/admin')).body, /<span class="n">0 of 2<\/span> devices registered/, 'expired bindings do not count');

  for (const mac of ['aabbccddee01', 'aabbccddee02']) {
    await s.app.inject({ method: 'GET', url: `/spa/${mac}.xml`, headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', mac) } });
  }
  await s.service.flush();
  dash = await admin.get('/admin');
  t.match(dash.body, /<span class="n">2<\/span> seen, not assigned/);
  t.match(dash.body, /href="\/installer\?mac=aabbccddee01"/);
  t.match(dash.body, /<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z"><span class="nowrap">\d{4}-\d\d-\d\d<\/span> <span class="nowrap">\d\d:\d\d:\d\d UTC<\/span><\/time>/, 'times are readable, machine value kept');

  const api = await admin.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(api.body)![1]!;
  const json = (await s.app.inject({ method: 'GET', url: '/api/dashboard', headers: { authorization: `Bearer ${token}` } })).json();
  t.equal(json.registeredDevices, 0);
  t.equal(json.devices, 2);
});

t.test('devices list and page: stage, firmware, last Report_Rule report', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const admin = (await login(s.app, 'anna')).session!;
  let list = await admin.get('/admin/devices');
  t.match(list.body, new RegExp(`${SPA303_MAC}[\\s\\S]*?<td>not seen yet</td><td><span class="muted">unknown</span></td><td><span class="muted">none</span></td>`));

  const fetched = await s.app.inject({ method: 'GET', url: `/spa/${SPA303_MAC}.xml`, headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', SPA303_MAC) } });
  t.equal(fetched.statusCode, 200);
  await s.service.flush();
  list = await admin.get('/admin/devices');
  t.match(list.body, new RegExp(`${SPA303_MAC}[\\s\\S]*?<td>profile fetched</td><td>7\\.6\\.2c</td>`), 'firmware from the User-Agent until a report arrives');

  s.repos.reports.save({ mac: SPA303_MAC, firmware: '7.6.2e', params: { Display_Name_1_: 'x', Proxy_1_: 'y' }, receivedAt: '2026-03-01T10:20:30.000Z' });
  list = await admin.get('/admin/devices');
  t.match(list.body, new RegExp(`${SPA303_MAC}[\\s\\S]*?<td>7\\.6\\.2e</td><td><time datetime="2026-03-01T10:20:30.000Z"><span class="nowrap">2026-03-01</span> <span class="nowrap">10:20:30 UTC</span></time></td>`));
  t.match(list.body, new RegExp(`${SPA112_MAC}[\\s\\S]*?<td>not seen yet</td>`));
  const page = await admin.get(`/admin/devices/${SPA303_MAC}`);
  t.match(page.body, /id="last-report">Last report \(Report_Rule\): received <time datetime="2026-03-01T10:20:30.000Z">.*?10:20:30 UTC<\/span><\/time>, firmware 7\.6\.2e, 2 parameters/);
  t.match((await admin.get(`/admin/devices/${SPA112_MAC}`)).body, /id="last-report">Last report \(Report_Rule\): <span class="muted">none received yet/);
});

t.test('forwarding and entry-number pages load the destination script; the server ignores a number for hang up', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const admin = (await login(s.app, 'anna')).session!;
  t.match((await admin.get('/admin/extensions/101')).body, /<script src="\/assets\/destination\.js" defer><\/script>/);
  t.match((await admin.get('/admin/entry-numbers')).body, /<script src="\/assets\/destination\.js" defer><\/script>/);
  const script = await s.app.inject({ method: 'GET', url: '/assets/destination.js' });
  t.equal(script.statusCode, 200);
  t.match(script.body, /hangup/);
  const saved = await admin.post('/admin/extensions/101/forwarding', { busyKind: 'hangup', busyTarget: '999' });
  t.equal(saved.statusCode, 200);
  t.same(s.repos.forwarding.get('101'), { busy: { kind: 'hangup' } });
});

t.test('device page: region preset chosen, kept on the next save, unknown region refused at the field', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const admin = (await login(s.app, 'anna')).session!;
  const fields = { model: 'spa303', line1: '101', line2: '102', blf: '3:201:Kitchen' };
  const saved = await admin.post(`/admin/devices/${SPA303_MAC}`, { ...fields, region: 'pl' });
  t.equal(saved.statusCode, 200);
  t.equal(s.repos.devices.get(SPA303_MAC)!.region, 'pl');
  t.match(saved.body, /<option value="pl" selected>pl – Poland/);
  const bad = await admin.post(`/admin/devices/${SPA303_MAC}`, { ...fields, region: 'xx' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /unknown region &quot;xx&quot;/);
  t.match(bad.body, /id="region"[^>]*aria-invalid="true"/);
  t.equal(s.repos.devices.get(SPA303_MAC)!.region, 'pl', 'unchanged after the refused save');
  await admin.post(`/admin/devices/${SPA303_MAC}`, { ...fields, region: '' });
  t.equal(s.repos.devices.get(SPA303_MAC)!.region, null, 'empty = the settings default');
});

t.test("device page shows its own model's settings: keys for a phone, hook flash for an adapter", async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const admin = (await login(s.app, 'anna')).session!;
  const phone = (await admin.get(`/admin/devices/${SPA303_MAC}`)).body;
  t.match(phone, /id="blf"/);
  t.notMatch(phone, /id="hookFlashPreset"/);
  const ata = (await admin.get(`/admin/devices/${SPA112_MAC}`)).body;
  t.match(ata, /id="hookFlashPreset"/);
  t.match(ata, /<option value="europe-270ms"/);
  t.notMatch(ata, /id="blf"/);
  const saved = await admin.post(`/admin/devices/${SPA112_MAC}`, { model: 'spa112', line1: '201', hookFlashPreset: 'europe-270ms', hookFlashMin: '0,1', hookFlashMax: '0.9' });
  t.equal(saved.statusCode, 200);
  t.match(s.repos.devices.get(SPA112_MAC)!, { hookFlashPreset: 'europe-270ms', hookFlashMin: 0.1, hookFlashMax: 0.9 });
  t.match(saved.body, /<option value="europe-270ms" selected>/);
});
