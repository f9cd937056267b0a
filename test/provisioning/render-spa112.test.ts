import t from 'tap';
import { extensions, parseProfile, renderer, spa112, TOKEN } from './content-fixtures.js';

t.test('SPA112: port 1 assigned, port 2 unassigned', async (t) => {
  const profile = renderer().renderDevice(spa112(), extensions);
  const { flat } = await parseProfile(profile.body);
  t.equal(flat.Line_Enable_1_, 'Yes');
  t.equal(flat.User_ID_1_, '21');
  t.equal(flat.Password_1_, 'pw-21-secret');
  t.equal(flat.Auth_ID_1_, '21');
  t.equal(flat.Display_Name_1_, 'Anna Nowak');
  t.equal(flat.Proxy_1_, '192.0.2.10');
  t.equal(flat.Line_Enable_2_, 'No');
  t.equal(flat.User_ID_2_, '', 'unassigned port carries no credentials');
  t.equal(flat.Password_2_, '');
  t.notOk('Attn_Transfer_Serv_2_' in flat, 'no services configured on a disabled port');
  t.equal(flat.Station_Name, 'Kitchen');
  t.equal(flat.Profile_Rule, `http://192.0.2.10:8080/spa/d/${TOKEN}/$MA.xml`);
  t.notOk('Extension_1_' in flat || 'Extended_Function_1_' in flat, 'an ATA has no line keys');
});

t.test('SPA112: both ports with transfer services', async (t) => {
  const { flat } = await parseProfile(renderer().renderDevice(spa112({ lines: ['21', '102'] }), extensions).body);
  for (const n of [1, 2]) {
    t.equal(flat[`Line_Enable_${n}_`], 'Yes');
    for (const name of ['Call_Waiting_Serv', 'Three_Way_Call_Serv', 'Attn_Transfer_Serv', 'Unattn_Transfer_Serv', 'Xfer_When_Hangup_Conf']) {
      t.equal(flat[`${name}_${n}_`], 'Yes', `${name}_${n}_`);
    }
    t.equal(flat[`Blind_Attn-Xfer_Enable_${n}_`], 'No');
  }
  t.equal(flat.Display_Name_2_, 'Reception & <Lobby>');
  t.equal(flat.User_ID_2_, '102');
});

t.test('SPA112: hook-flash timers from defaults, presets and explicit values', async (t) => {
  const r = renderer();
  const timers = async (over: Parameters<typeof spa112>[0]) => {
    const { flat } = await parseProfile(r.renderDevice(spa112(over), extensions).body);
    return [flat.Hook_Flash_Timer_Min, flat.Hook_Flash_Timer_Max];
  };
  t.same(await timers({}), ['0.1', '0.9'], 'model default');
  t.same(await timers({ hookFlashPreset: 'europe-270ms' }), ['0.15', '0.6']);
  t.same(await timers({ hookFlashPreset: 'long-600ms' }), ['0.3', '1']);
  t.same(await timers({ hookFlashMin: 0.2, hookFlashMax: 1.2 }), ['0.2', '1.2']);
  t.same(await timers({ hookFlashPreset: 'europe-100ms', hookFlashMax: 0.5 }), ['0.1', '0.5'], 'explicit value overrides one bound of a preset');
  t.throws(() => r.renderDevice(spa112({ hookFlashMax: 2 }), extensions), { name: 'ValidationError', message: /0\.4–1\.6/ });
});

t.test('SPA112: admin password nested in router-configuration', async (t) => {
  const profile = renderer().renderDevice(spa112(), extensions);
  const { flat } = await parseProfile(profile.body);
  const router = flat['router-configuration'] as Record<string, string>;
  t.equal(router.Web_Login_Admin_Password, 'AdminPw-112');
  t.equal(router.Web_Login_Admin_Name, 'admin');
  t.notOk('Web_Login_Admin_Password' in flat, 'not at the flat-profile level');
  t.equal(profile.params.Web_Login_Admin_Password, 'AdminPw-112', 'params flatten nested names');
  t.ok(profile.secretParams.includes('Web_Login_Admin_Password'));
});

t.test('SPA112: Polish regional preset and the neutral one', async (t) => {
  const pl = (await parseProfile(renderer().renderDevice(spa112(), extensions).body)).flat;
  t.equal(pl.Dial_Tone, '425@-19;10(*/0/1)');
  t.equal(pl.Busy_Tone, '425@-19;10(.5/.5/1)');
  t.equal(pl.Reorder_Tone, '425@-19;10(.5/.5/1)');
  t.equal(pl.Ring_Back_Tone, '425@-19;*(1/4/1)');
  t.equal(pl.Call_Waiting_Tone, '425@-19;30(.15/.15/1,.15/4/1)');
  t.equal(pl.Ring1_Cadence, '60(1/4)');
  t.equal(pl.Caller_ID_Method, 'ETSI FSK');
  t.equal(pl.Caller_ID_FSK_Standard, 'v.23');
  t.equal(pl.Time_Zone, 'GMT+01:00');
  t.equal(pl.Daylight_Saving_Time_Rule, 'start=3/-1/7/2;end=10/-1/7/3;save=1');
  const us = (await parseProfile(renderer({ settings: { region: 'us' } }).renderDevice(spa112(), extensions).body)).flat;
  t.equal(us.Dial_Tone, '350@-19,440@-19;10(*/0/1+2)');
  t.equal(us.Caller_ID_Method, 'Bellcore(N.Amer,China)');
  const devicePl = (await parseProfile(renderer({ settings: { region: 'us' } }).renderDevice(spa112({ region: 'pl' }), extensions).body)).flat;
  t.equal(devicePl.Dial_Tone, '425@-19;10(*/0/1)', 'the device region wins over the setting');
});

t.test('SPA112: Upgrade_Rule for 1.3.5p, not for 1.4.1 SR5', async (t) => {
  const r = renderer();
  const report = (firmware: string) => ({ mac: '88755a123456', firmware, params: {}, receivedAt: '2026-01-01T00:00:00Z' });
  t.equal((await parseProfile(r.renderDevice(spa112(), extensions, { report: report('1.3.5p') }).body)).flat.Upgrade_Rule,
    'http://192.0.2.10:8080/firmware/spa112-1.4.1-SR5.bin');
  t.notOk('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa112(), extensions, { report: report('1.4.1 SR5') }).body)).flat);
  t.ok('Upgrade_Rule' in (await parseProfile(r.renderDevice(spa112(), extensions, { report: report('1.4.1') }).body)).flat, '1.4.1 < 1.4.1(SR5)');
});
