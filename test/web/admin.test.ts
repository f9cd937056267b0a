import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { seedOffice, SPA303_MAC } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';

t.test('extensions: create (generated password shown once), bad input kept, rotate, reveal, delete; audit redacted', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;

  const bad = await b.post('/admin/extensions', { number: '1', displayName: 'Zofia Ćwik', emails: 'zofia@example.com' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /number/);
  t.match(bad.body, /value="Zofia Ćwik"/, 'what was typed is kept');
  t.match(bad.body, /id="number"[^>]*aria-invalid="true"/, 'the field is marked');

  const created = await b.post('/admin/extensions', { number: '120', displayName: 'Zofia Ćwik', emails: 'zofia@example.com' });
  t.equal(created.statusCode, 200);
  const ext = s.repos.extensions.get('120')!;
  t.match(created.body, ext.sipPassword, 'the generated password is shown once');
  const list = await b.get('/admin/extensions');
  t.notMatch(list.body, ext.sipPassword, 'and not again');
  t.match(list.body, /••••••••/);

  const rotated = await b.post('/admin/extensions/120/rotate', {});
  const newPw = s.repos.extensions.get('120')!.sipPassword;
  t.not(newPw, ext.sipPassword);
  t.match(rotated.body, newPw);
  t.notMatch((await b.get('/admin/extensions/120')).body, newPw, 'masked unless revealed');
  t.match((await b.post('/admin/extensions/120/reveal', {})).body, newPw, 'an admin may reveal it');

  await b.post('/admin/extensions/120', { displayName: 'Zofia C.', emails: '' });
  t.equal(s.repos.extensions.get('120')!.displayName, 'Zofia C.');
  t.equal((await b.post('/admin/extensions/120/delete', {})).statusCode, 200);
  t.equal(s.repos.extensions.get('120'), undefined);

  const audit = s.repos.audit.recent(50);
  const dump = JSON.stringify(audit);
  t.notMatch(dump, ext.sipPassword, 'no secret in the audit log');
  t.notMatch(dump, newPw);
  const rotate = audit.find((e) => e.action === 'extension.rotate-password')!;
  t.equal(rotate.actor, 'user:anna');
  t.equal((rotate.after as { sipPassword: string }).sipPassword, '[redacted, changed]');
  const update = audit.find((e) => e.action === 'extension.update')!;
  t.equal((update.before as { displayName: string }).displayName, 'Zofia Ćwik');
  t.equal((update.after as { displayName: string }).displayName, 'Zofia C.');
  t.ok(audit.find((e) => e.action === 'extension.reveal-password'), 'revealing is audited');
  t.ok(audit.find((e) => e.action === 'extension.delete'));
});

t.test('devices: add with model rules, edit keys, preview masked, diff after a fetch, reopen', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  seedOffice(s.repos);
  const b = (await login(s.app, 'anna')).session!;

  const tooMany = await b.post('/admin/devices', { mac: '00-11-22-33-44-bb', model: 'spa112', line1: '101', line2: '102', line3: '201' });
  t.equal(tooMany.statusCode, 400);
  t.match(tooMany.body, /spa112 has 2 line/);
  t.match(tooMany.body, /value="00-11-22-33-44-bb"/);
  const badMac = await b.post('/admin/devices', { mac: 'nonsense', model: 'spa303', line1: '101' });
  t.equal(badMac.statusCode, 400);
  t.match(badMac.body, /is not a MAC address/);

  const added = await b.post('/admin/devices', { mac: '00-11-22-33-44-BB', model: 'spa303', line1: '101', label: 'Desk' });
  t.equal(added.statusCode, 303);
  t.equal(added.headers.location, '/admin/devices/0011223344bb');

  const keyOnLine = await b.post('/admin/devices/0011223344bb', { model: 'spa303', line1: '101', blf: '1:102' });
  t.equal(keyOnLine.statusCode, 400);
  t.match(keyOnLine.body, /key 1 already shows line 1/);
  await b.post('/admin/devices/0011223344bb', { model: 'spa303', line1: '101', blf: '3:102:Bob' });
  t.same(s.repos.devices.get('0011223344bb')!.functionKeys, [{ key: 3, kind: 'blf', target: '102', label: 'Bob' }]);

  const page = await b.get(`/admin/devices/${SPA303_MAC}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /has not fetched its profile yet/);
  t.match(page.body, /\(secret\)/, 'preview masks secrets');
  t.notMatch(page.body, 'pw-101-secret');
  t.notMatch(page.body, s.repos.devices.get(SPA303_MAC)!.adminPassword);

  const fetched = await s.app.inject({ method: 'GET', url: `/spa/${SPA303_MAC}.xml`, headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', SPA303_MAC) } });
  t.equal(fetched.statusCode, 200);
  await s.service.flush();
  s.repos.extensions.update('101', { displayName: 'Lucja Zak-Nowak' });
  const diffPage = await b.get(`/admin/devices/${SPA303_MAC}`);
  t.match(diffPage.body, /Display_Name_1_/, 'the changed name shows in the diff');
  t.match(diffPage.body, /Lucja Zak-Nowak/);

  const reopened = await b.post(`/admin/devices/${SPA303_MAC}/reopen`, {});
  t.match(reopened.body, /window reopened/);
  t.ok(s.repos.audit.recent(20).find((e) => e.action === 'device.reopen'));
  const created = s.repos.audit.recent(20).find((e) => e.action === 'device.create')!;
  t.notMatch(JSON.stringify(created), /adminPassword|provisioningToken/);
});

t.test('dashboard, sightings, log and import pages', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  await s.app.inject({ method: 'GET', url: '/spa/aabbccddeeff.xml', headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', 'aabbccddeeff') } });
  await s.service.flush();
  const dash = await b.get('/admin');
  t.match(dash.body, /aa:bb:cc:dd:ee:ff/, 'an unassigned device shows on the dashboard');
  t.match(dash.body, /href="\/installer\?mac=aabbccddeeff"/);
  t.match((await b.get('/admin/sightings')).body, /aa:bb:cc:dd:ee:ff/);
  t.equal((await b.get('/admin/provisioning-log')).statusCode, 200);

  const bad = await b.post('/admin/import', { csv: 'type,number,name\nextension,1,Bad\nextension,130,Good\n' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /line 2:/);
  t.equal(s.repos.extensions.get('130'), undefined, 'nothing written when a row is wrong');
  t.match(bad.body, /extension,130,Good/, 'the pasted CSV is kept');
  const dry = await b.post('/admin/import', { csv: 'type,number,name\nextension,130,Good\n', dryRun: 'on' });
  t.match(dry.body, /Dry run: 1 extension and 0 devices are valid/);
  t.equal(s.repos.extensions.get('130'), undefined);
  const ok = await b.post('/admin/import', { csv: 'type,number,name,mac,model,lines\nextension,130,Good,,,\ndevice,,,00:11:22:33:44:cc,spa112,130\n' });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, /Imported 1 extension and 1 device/);
  t.match(ok.body, s.repos.extensions.get('130')!.sipPassword, 'generated password shown once');
  t.same(s.repos.devices.get('0011223344cc')!.lines, ['130']);
  t.ok(s.repos.audit.recent(5).find((e) => e.action === 'import'));
});
