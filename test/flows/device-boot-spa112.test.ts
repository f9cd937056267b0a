/**
 * A factory-fresh SPA112 (two-port ATA) provisions itself end to end, including the
 * hook-flash timers that decide whether an analog handset's R key transfers or hangs up.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProvisioningServers, seedOffice, SPA112_MAC } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';
import { followProfileRule, tftpBootstrap, uploadReport } from '../helpers/boot-flow.js';

/** Production caches device lookups for 2 s; shorter here so the admin edit below shows quickly. */
const CACHE_MS = 300;

t.test('SPA112 boots from factory settings to a provisioned ATA', async (t) => {
  const { tftpPort, httpPort, stack } = await startProvisioningServers(t, { deviceCacheMs: CACHE_MS, writerThread: true });
  const { spa112 } = seedOffice(stack.repos);
  const token = spa112.provisioningToken;
  const base = `http://127.0.0.1:${httpPort}`;
  const device = { mac: SPA112_MAC, psn: '112', userAgent: spaUserAgent('SPA112', '1.4.1(SR5)', SPA112_MAC, 'CCQ17120XYZ') };

  const bootstrap = await tftpBootstrap(device, tftpPort, t.testdir());
  t.equal(bootstrap.params.Profile_Rule, `${base}/spa/$MA.xml`);
  t.notOk('SPCP_Auto-detect' in bootstrap.params, 'phone-only parameters stay out of the ATA bootstrap');

  const plain = await followProfileRule(device, bootstrap.params.Profile_Rule!);
  t.equal(plain.status, 200);
  const p = plain.profile!.params;
  t.match(p, {
    Profile_Rule: `${base}/spa/d/${token}/$MA.xml`,
    Report_Rule: `${base}/spa/r/${token}/$MA.xml`,
    Station_Name: 'Kitchen ATA',
    Hook_Flash_Timer_Min: '0.15',
    Hook_Flash_Timer_Max: '0.6',
    Line_Enable_1_: 'Yes', User_ID_1_: '201', Password_1_: 'pw-201-secret', Display_Name_1_: 'Fax Kitchen',
    Attn_Transfer_Serv_1_: 'Yes', Unattn_Transfer_Serv_1_: 'Yes', Three_Way_Call_Serv_1_: 'Yes', Xfer_When_Hangup_Conf_1_: 'Yes',
    Line_Enable_2_: 'No', Password_2_: '',
    Web_Login_Admin_Name: 'admin', Web_Login_Admin_Password: spa112.adminPassword,
    Caller_ID_Method: 'ETSI FSK',
  });

  const secret = await followProfileRule(device, p.Profile_Rule!);
  t.equal(secret.status, 200);
  t.same(secret.profile!.params, p);
  t.equal(stack.repos.devices.get(SPA112_MAC)!.secretUrlConfirmed, true);

  // The ATA's report has no Software_Version parameter here: the firmware comes from its UA.
  const running = { ...p };
  delete running.Software_Version;
  const report = await uploadReport(device, p.Report_Rule!, running);
  t.equal(report.status, 200);
  t.match(stack.repos.reports.latest(SPA112_MAC), { firmware: '1.4.1(SR5)', params: { Hook_Flash_Timer_Max: '0.6' } });

  const after = await followProfileRule(device, bootstrap.params.Profile_Rule!);
  t.notMatch(after.body, /pw-201-secret/);
  t.notMatch(after.body, new RegExp(spa112.adminPassword));

  // A wrong token on the report URL: 404, nothing replaced.
  const forged = await uploadReport(device, `${base}/spa/r/NotTheToken12345/$MA.xml`, { Hook_Flash_Timer_Max: '1.6' });
  t.equal(forged.status, 404);
  t.equal(stack.repos.reports.latest(SPA112_MAC)!.params.Hook_Flash_Timer_Max, '0.6');

  stack.repos.devices.reopen(SPA112_MAC);
  // Admin edits reach devices within the device-cache lifetime.
  await sleep(CACHE_MS + 50);
  const reopened = await followProfileRule(device, bootstrap.params.Profile_Rule!);
  t.equal(reopened.profile!.params.Password_1_, 'pw-201-secret');
});
