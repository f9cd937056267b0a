/**
 * A factory-fresh SPA303 provisions itself end to end: TFTP bootstrap with tftp-hpa →
 * HTTP per-MAC profile → secret per-device URL → Report_Rule upload; then the plain URL
 * stops handing out secrets until an admin reopens it.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProvisioningServers, seedOffice, SPA303_MAC } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';
import { followProfileRule, tftpBootstrap, uploadReport } from '../helpers/boot-flow.js';

/** Production caches device lookups for 2 s; shorter here so the admin edit below shows quickly. */
const CACHE_MS = 300;

t.test('SPA303 boots from factory settings to a registered, reporting phone', async (t) => {
  const { tftpPort, httpPort, stack } = await startProvisioningServers(t, { deviceCacheMs: CACHE_MS, writerThread: true });
  const { spa303 } = seedOffice(stack.repos);
  const token = spa303.provisioningToken;
  const base = `http://127.0.0.1:${httpPort}`;
  const device = { mac: SPA303_MAC, psn: '303', userAgent: spaUserAgent('SPA303', '7.5.5', SPA303_MAC, 'CCQ16050ABC') };

  // 1. TFTP bootstrap: generic, no secrets, points at the per-MAC URL.
  const bootstrap = await tftpBootstrap(device, tftpPort, t.testdir());
  t.equal(bootstrap.root, 'flat-profile');
  t.equal(bootstrap.params.Profile_Rule, `${base}/spa/$MA.xml`);
  t.equal(bootstrap.params.Line_Enable_1_, 'No');
  t.notOk(Object.keys(bootstrap.params).some((n) => /Password|Passwd/.test(n)), 'bootstrap carries no secrets');

  // 2. Per-MAC profile over the plain URL: lines, keys, transfer, and the secret URL.
  const plain = await followProfileRule(device, bootstrap.params.Profile_Rule!);
  t.equal(plain.status, 200);
  t.equal(plain.contentType, 'text/xml; charset=utf-8');
  const p = plain.profile!.params;
  t.match(p, {
    Profile_Rule: `${base}/spa/d/${token}/$MA.xml`,
    Report_Rule: `${base}/spa/r/${token}/$MA.xml`,
    Admin_Passwd: spa303.adminPassword,
    Station_Name: 'Reception',
    Line_Enable_1_: 'Yes', User_ID_1_: '101', Password_1_: 'pw-101-secret', Display_Name_1_: 'Lucja Zak', Proxy_1_: '127.0.0.1',
    Line_Enable_2_: 'Yes', User_ID_2_: '102', Password_2_: 'pw-102-secret', Display_Name_2_: 'Bob Builder',
    Line_Enable_3_: 'No', Password_3_: '',
    Extension_1_: '1', Extension_2_: '2',
    Extension_3_: 'Disabled', Extended_Function_3_: 'fnc=blf+sd+cp;sub=201@127.0.0.1;nme=Kitchen',
    Attn_Transfer_Serv: 'Yes', Blind_Transfer_Serv: 'Yes', Conference_Serv: 'Yes',
    Dial_Tone: '425@-19;10(*/0/1)',
  });
  t.equal(plain.profile!.counts.Extension_3_, 1);
  t.equal(stack.repos.devices.get(SPA303_MAC)!.secretUrlConfirmed, false);

  // 3. The device resyncs through its secret URL: same profile, window closes.
  const secret = await followProfileRule(device, p.Profile_Rule!);
  t.equal(secret.status, 200);
  t.same(secret.profile!.params, p, 'the secret URL serves the same profile');
  t.equal(stack.repos.devices.get(SPA303_MAC)!.secretUrlConfirmed, true);

  // 4. Report_Rule: the phone uploads what it runs.
  const report = await uploadReport(device, p.Report_Rule!, { ...p, Software_Version: '7.5.5', Hardware_Version: '1.0.0' });
  t.equal(report.status, 200);
  const saved = stack.repos.reports.latest(SPA303_MAC)!;
  t.equal(saved.firmware, '7.5.5');
  t.equal(saved.params.User_ID_2_, '102');
  t.equal(saved.params.Extended_Function_3_, 'fnc=blf+sd+cp;sub=201@127.0.0.1;nme=Kitchen');

  // 5. Someone else tries the MAC printed on the box: no secrets any more.
  const snoop = await followProfileRule({ ...device, userAgent: 'curl/8.0' }, bootstrap.params.Profile_Rule!);
  t.equal(snoop.status, 200);
  t.notMatch(snoop.body, /pw-10[12]-secret/);
  t.notMatch(snoop.body, new RegExp(token));
  t.notMatch(snoop.body, new RegExp(spa303.adminPassword));
  t.notOk('Profile_Rule' in snoop.profile!.params, 'the device keeps its secret URL');

  // 6. An admin reopens the window (hookflash device reopen): the plain URL works again.
  stack.repos.devices.reopen(SPA303_MAC);
  // Admin edits reach devices within the device-cache lifetime.
  await sleep(CACHE_MS + 50);
  const reopened = await followProfileRule(device, bootstrap.params.Profile_Rule!);
  t.equal(reopened.profile!.params.Password_1_, 'pw-101-secret');

  // 7. Every contact was recorded; the log holds hashes, never bodies or tokens.
  await stack.service.flush();
  const sightings = stack.repos.sightings.recent(20).reverse();
  t.same(sightings.map((s) => [s.transport, s.file]), [
    ['tftp', '/spa303.cfg'],
    ['http', `/spa/${SPA303_MAC}.xml`],
    ['http', `/spa/d/…/${SPA303_MAC}.xml`],
    ['http', `/spa/r/…/${SPA303_MAC}.xml`],
    ['http', `/spa/${SPA303_MAC}.xml`],
    ['http', `/spa/${SPA303_MAC}.xml`],
  ]);
  t.match(sightings[1], { mac: SPA303_MAC, model: 'spa303', firmware: '7.5.5' });
  const log = stack.repos.provisioningLog.recent(20);
  t.equal(log.length, 5, 'bootstrap, plain, secret, plain without secrets, plain after reopen');
  t.ok(log.every((e) => /^[0-9a-f]{64}$/.test(e.bodySha256) && !e.file.includes(token)));
  t.equal(stack.repos.servedSnapshots.get(SPA303_MAC)!.params.User_ID_1_, '101');
  const snapshot = stack.repos.servedSnapshots.get(SPA303_MAC)!;
  t.notOk(JSON.stringify(snapshot.params).includes('pw-101-secret'), 'the stored snapshot holds no line password');
  t.match(snapshot.params.Password_1_, /^hookflash-sha256:/, 'only its fingerprint');
});
