import t from 'tap';
import { createProfileRenderer } from '../../src/provisioning/render.js';
import { env, extensions, models, parseProfile, renderer, spa303, TOKEN } from './content-fixtures.js';

t.test('SPA303 per-MAC profile: lines, credentials, proxy, display names', async (t) => {
  const profile = renderer().renderDevice(spa303(), extensions);
  t.equal(profile.contentType, 'text/xml; charset=utf-8');
  t.match(profile.body, /^[\x09\x0a\x0d\x20-\x7e]*$/, 'body is ASCII only');
  const { flat } = await parseProfile(profile.body);
  t.equal(flat.Line_Enable_1_, 'Yes');
  t.equal(flat.User_ID_1_, '10');
  t.equal(flat.Password_1_, 'S3cr<e>t&"\'10', 'password survives XML escaping');
  t.equal(flat.Use_Auth_ID_1_, 'Yes');
  t.equal(flat.Auth_ID_1_, '10');
  t.equal(flat.Display_Name_1_, 'Lucja Zak', 'Polish letters transliterated');
  t.equal(flat.Display_Name_2_, 'Juergen Gross', 'German letters transliterated');
  t.equal(flat.Line_Enable_2_, 'Yes');
  t.equal(flat.User_ID_2_, '11');
  t.equal(flat.Password_2_, 'pw-11-secret');
  t.equal(flat.Proxy_1_, '192.0.2.10', 'proxy is publicHost without :5060');
  t.equal(flat.Register_1_, 'Yes');
  t.equal(flat.Register_Expires_1_, '3600');
  t.equal(flat.Line_Enable_3_, 'No', 'a line without extension is disabled');
  t.equal(flat.User_ID_3_, '', 'and carries no credentials');
  t.equal(flat.Password_3_, '');
  t.equal(flat.Station_Name, 'Lucja Zak', 'station name falls back to the first extension');
  t.equal(flat.Admin_Passwd, 'AdminPw-303');
  t.equal(flat.Voice_Mail_Number, '*97');
  t.equal(flat.Voice_Mail_Server_1_, '192.0.2.10');
  t.equal(flat.Mailbox_ID_2_, '11');
});

t.test('SPA303 proxy uses sipDomain and a non-default SIP port', async (t) => {
  const { flat } = await parseProfile(renderer({ sipDomain: 'pbx.example.com', sipPort: 5070 }).renderDevice(spa303(), extensions).body);
  t.equal(flat.Proxy_1_, 'pbx.example.com:5070');
  t.equal(flat.Extended_Function_3_, 'fnc=blf+sd+cp;sub=102@pbx.example.com;nme=Boss "A" & <B>');
});

t.test('SPA303 line keys and BLF keys: function keys come before line keys', async (t) => {
  const profile = renderer().renderDevice(spa303({
    lines: ['10'],
    functionKeys: [
      { key: 2, kind: 'speeddial', target: '21' },
      { key: 3, kind: 'blf', target: '102' },
      { key: 1, kind: 'blf', target: '12' }, // key 1 is a line: the line wins, no BLF there
    ],
  }), extensions);
  const { flat, order } = await parseProfile(profile.body);
  t.equal(flat.Extension_1_, '1', 'key 1 shows line 1');
  t.equal(flat.Extended_Function_1_, '');
  t.equal(flat.Extension_2_, 'Disabled');
  t.equal(flat.Extended_Function_2_, 'fnc=sd;ext=21@192.0.2.10;nme=Anna Nowak');
  t.equal(flat.Extension_3_, 'Disabled');
  t.equal(flat.Extended_Function_3_, 'fnc=blf+sd+cp;sub=102@192.0.2.10;nme=Reception & <Lobby>', 'label from the target extension');
  const lastFunctionKey = Math.max(order.indexOf('Extended_Function_2_'), order.indexOf('Extended_Function_3_'));
  t.ok(lastFunctionKey >= 0 && lastFunctionKey < order.indexOf('Extension_1_'), 'function keys are emitted before line keys');
  t.notOk(profile.body.includes('sub=12@'), 'a function key on a line key is dropped');
});

t.test('SPA303 three lines: all keys are line keys', async (t) => {
  const { flat } = await parseProfile(renderer().renderDevice(spa303({ lines: ['10', '11', '12'], functionKeys: [] }), extensions).body);
  for (const k of [1, 2, 3]) {
    t.equal(flat[`Extension_${k}_`], String(k));
    t.equal(flat[`Line_Enable_${k}_`], 'Yes');
  }
  t.equal(flat.Display_Name_3_, 'Zdenek Dvorak', 'Czech letters via NFKD');
});

t.test('SPA303 transfer, softkeys, NAT, forwarding codes and dial plan', async (t) => {
  const { flat } = await parseProfile(renderer().renderDevice(spa303(), extensions).body);
  t.equal(flat.Attn_Transfer_Serv, 'Yes');
  t.equal(flat.Blind_Transfer_Serv, 'Yes');
  t.equal(flat.Conference_Serv, 'Yes');
  t.equal(flat.Programmable_Softkey_Enable, 'Yes');
  const keys = String(flat.Connected_Key_List).split(';').map((k) => k.split('|')[0]);
  t.ok(keys.includes('xfer') && keys.includes('bxfer'), 'connected softkeys offer attended and blind transfer');
  t.equal(flat.Handle_VIA_rport, 'Yes');
  t.equal(flat.Insert_VIA_rport, 'Yes');
  t.equal(flat.NAT_Keep_Alive_Enable_1_, 'Yes');
  t.equal(flat.Cfwd_All_Act_Code, '', 'the phone does not swallow *72: the PBX implements it');
  t.equal(flat.Cfwd_All_Deact_Code, '');
  const plan = String(flat.Dial_Plan_1_);
  t.match(plan, /^\(.*\)$/);
  const alternatives = plan.slice(1, -1).split('|');
  for (const p of ['*72xx', '*72xxx', '*72xxxx', '*73S0', 'xx', 'xxx', 'xxxx', '*97']) t.ok(alternatives.includes(p), `dial plan has ${p}`);
});

t.test('SPA303 provisioning rules: secret Profile_Rule, Report_Rule, timers', async (t) => {
  const { flat } = await parseProfile(renderer().renderDevice(spa303(), extensions).body);
  t.equal(flat.Profile_Rule, `http://192.0.2.10:8080/spa/d/${TOKEN}/$MA.xml`);
  t.equal(flat.Report_Rule, `http://192.0.2.10:8080/spa/r/${TOKEN}/$MA.xml`);
  t.equal(flat.Resync_Periodic, '3600');
  t.equal(flat.Resync_Error_Retry_Delay, '300');
  t.equal(flat.Resync_On_Reset, 'Yes');
  t.equal(flat.Resync_From_SIP, 'Yes');
});

t.test('SPA303 time zone and DST', async (t) => {
  const warsaw = (await parseProfile(renderer().renderDevice(spa303(), extensions).body)).flat;
  t.equal(warsaw.Time_Zone, 'GMT+01:00');
  t.equal(warsaw.Daylight_Saving_Time_Enable, 'Yes');
  t.equal(warsaw.Daylight_Saving_Time_Rule, 'start=3/-1/7/2;end=10/-1/7/3;save=1');
  t.equal(warsaw.Primary_NTP_Server, 'pool.ntp.org');
  const ny = (await parseProfile(renderer({ settings: { timezone: 'America/New_York', ntpServer: 'ntp.example' } })
    .renderDevice(spa303(), extensions).body)).flat;
  t.equal(ny.Time_Zone, 'GMT-05:00');
  t.equal(ny.Daylight_Saving_Time_Rule, 'start=3/8/7/2;end=11/1/7/2;save=1');
  t.equal(ny.Primary_NTP_Server, 'ntp.example');
  const utc = (await parseProfile(renderer({ settings: { timezone: 'UTC' } }).renderDevice(spa303(), extensions).body)).flat;
  t.equal(utc.Daylight_Saving_Time_Enable, 'No');
  t.throws(() => renderer({ settings: { timezone: 'Mars/Olympus' } }), { name: 'ValidationError', message: /Mars\/Olympus.*timezone/ });
});

t.test('SPA303 Upgrade_Rule only for older reported firmware', async (t) => {
  const r = renderer();
  const report = (firmware: string | null) => ({ mac: '0011223344aa', firmware, params: {}, receivedAt: '2026-01-01T00:00:00Z' });
  const old = (await parseProfile(r.renderDevice(spa303(), extensions, { report: report('7.5.5') }).body)).flat;
  t.equal(old.Upgrade_Rule, 'http://192.0.2.10:8080/firmware/spa50x-30x-7-6-2c.bin');
  t.equal(old.Upgrade_Enable, 'Yes');
  t.notOk('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa303(), extensions, { report: report('7.6.2c') }).body)).flat, 'current firmware: no rule');
  t.notOk('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa303(), extensions, { report: report('7.6.3') }).body)).flat, 'newer firmware: no rule');
  t.notOk('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa303(), extensions, { report: report(null) }).body)).flat, 'unknown firmware: no rule');
  t.notOk('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa303(), extensions).body)).flat, 'no report: no rule');
  t.ok('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa303(), extensions, { report: report('7.6.2') }).body)).flat, '7.6.2 < 7.6.2c');
});

t.test('display names cannot break the quoted SIP display-name', async (t) => {
  const exts = new Map(extensions);
  exts.set('10', { ...extensions.get('10')!, displayName: 'Jan "Boss" K\\owalski' });
  const { flat } = await parseProfile(renderer().renderDevice(spa303(), exts).body);
  t.equal(flat.Display_Name_1_, "Jan 'Boss' K/owalski");
});

t.test('device label becomes the station name, escaped and ASCII', async (t) => {
  const profile = renderer().renderDevice(spa303({ label: 'Biuro <Łódź> & "Co"' }), extensions);
  t.match(profile.body, /<Station_Name>Biuro &lt;Lodz&gt; &amp; &quot;Co&quot;<\/Station_Name>/);
  t.equal((await parseProfile(profile.body)).flat.Station_Name, 'Biuro <Lodz> & "Co"');
});

t.test('regions: pl tones on phones without ATA-only parameters; us restores defaults', async (t) => {
  const pl = (await parseProfile(renderer().renderDevice(spa303(), extensions).body)).flat;
  t.equal(pl.Dial_Tone, '425@-19;10(*/0/1)');
  t.equal(pl.Busy_Tone, '425@-19;10(.5/.5/1)');
  t.notOk('Caller_ID_Method' in pl, 'caller-ID signalling is for the analog ports only');
  const us = (await parseProfile(renderer().renderDevice(spa303({ region: 'us' }), extensions).body)).flat;
  t.equal(us.Dial_Tone, '350@-19,440@-19;10(*/0/1+2)', 'device region overrides the setting');
  t.throws(() => renderer().renderDevice(spa303({ region: 'xx' }), extensions), { name: 'ValidationError', message: /unknown region "xx"/ });
  t.throws(() => renderer({ settings: { region: 'atlantis' } }), { message: /unknown region "atlantis"/ });
});

t.test('unknown model and missing extension', async (t) => {
  t.throws(() => renderer().renderDevice(spa303({ model: 'spa999' }), extensions), { name: 'ValidationError', message: /unknown device model "spa999"/ });
  const { flat } = await parseProfile(renderer().renderDevice(spa303({ lines: ['10', '404'] }), extensions).body);
  t.equal(flat.Line_Enable_2_, 'No', 'a line whose extension is gone is disabled, not half-configured');
  t.equal(flat.Password_2_, '');
});

t.test('settings: dial-plan extras, voicemail number, full override, updateSettings', async (t) => {
  const r = renderer({ settings: { voicemailNumber: '800', dialPlanExtras: ['0xxxxxxxxx.', '700'] } });
  let flat = (await parseProfile(r.renderDevice(spa303(), extensions).body)).flat;
  t.equal(flat.Voice_Mail_Number, '800');
  t.match(String(flat.Dial_Plan_1_), /\|800\|0xxxxxxxxx\.\|700\)$/);
  r.updateSettings({ dialPlan: '(xxx|*xx)' });
  flat = (await parseProfile(r.renderDevice(spa303(), extensions).body)).flat;
  t.equal(flat.Dial_Plan_1_, '(xxx|*xx)');
  t.throws(() => r.updateSettings({ dialPlanExtras: ['1;drop'] }), { name: 'ValidationError', message: /1;drop/ });
  t.throws(() => r.updateSettings({ dialPlan: 'xxx' }), { message: /dial plan/ });
  flat = (await parseProfile(r.renderDevice(spa303(), extensions).body)).flat;
  t.equal(flat.Dial_Plan_1_, '(xxx|*xx)', 'a rejected update leaves the previous settings in force');
});

t.test('viaPlainUrl: the full profile on the plain URL hands over to the secret URL quickly', async (t) => {
  const r = renderer();
  const plain = (await parseProfile(r.renderDevice(spa303(), extensions, { viaPlainUrl: true }).body)).flat;
  t.equal(plain.Resync_Periodic, '10', 'resync again in seconds, through the new Profile_Rule');
  t.equal(plain.Profile_Rule, `http://192.0.2.10:8080/spa/d/${TOKEN}/$MA.xml`);
  const secret = (await parseProfile(r.renderDevice(spa303(), extensions).body)).flat;
  t.equal(secret.Resync_Periodic, '3600', 'the secret URL sets the configured period');
});

t.test('no Upgrade_Rule while the newest image is missing from the firmware directory', async (t) => {
  const present = new Set<string>();
  const r = createProfileRenderer({ models, env: env(), firmwareAvailable: (file) => present.has(file) });
  const report = { mac: '0011223344aa', firmware: '7.5.5', params: {}, receivedAt: '2026-01-01T00:00:00Z' };
  t.notOk('Upgrade_Rule' in r.renderDevice(spa303(), extensions, { report }).params, 'image not dropped in yet');
  present.add('spa50x-30x-7-6-2c.bin');
  t.equal(r.renderDevice(spa303(), extensions, { report }).params.Upgrade_Rule,
    'http://192.0.2.10:8080/firmware/spa50x-30x-7-6-2c.bin', 'appears once the admin adds the file (not a stale cached profile)');
});
