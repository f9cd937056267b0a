import t, { type Test } from 'tap';
import { cli, withRepos } from './fixtures/run-cli.js';
import { loadDeviceModels } from '../../src/provisioning/models.js';
import { createProfileRenderer } from '../../src/provisioning/render.js';
import { loadConfig } from '../../src/config.js';
import type { Device, Extension } from '../../src/data/types.js';

async function office(t: Test): Promise<string> {
  const dir = t.testdir();
  for (const [n, name] of [['101', 'Recepcja'], ['102', 'Anna Nowak'], ['103', 'Łucja Żak']]) {
    const r = await cli(dir, ['extension', 'add', n!, '--name', name!]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return dir;
}

t.test('device add: SPA303 with BLF keys, any MAC form', async (t) => {
  const dir = await office(t);
  const r = await cli(dir, ['device', 'add', '0011.2233.44AA', '--model', 'spa303', '--line', '101', '--label', 'Reception', '--blf', '2:102:Anna', '--speed-dial', '3:*97']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /device 00:11:22:33:44:aa added \(Cisco SPA303, lines: 101\)/);
  const d = withRepos(dir, (repos) => repos.devices.get('0011223344aa'))!;
  t.equal(d.label, 'Reception');
  t.same(d.functionKeys, [{ key: 2, kind: 'blf', target: '102', label: 'Anna' }, { key: 3, kind: 'speeddial', target: '*97' }]);
  const list = await cli(dir, ['device', 'list']);
  t.match(list.stdout, /00:11:22:33:44:aa\s+spa303\s+Reception\s+101\s+plain-MAC window open\s+never/);
  const json = JSON.parse((await cli(dir, ['device', 'list', '--json'])).stdout);
  t.equal(json[0].mac, '0011223344aa');
  t.notOk('adminPassword' in json[0] || 'provisioningToken' in json[0], 'no secrets in JSON list');
});

t.test('device add: SPA112 ports and hook flash, validated against the model', async (t) => {
  const dir = await office(t);
  const ok = await cli(dir, ['device', 'add', '00-11-22-33-44-bb', '--model', 'spa112', '--line', '102,103', '--hook-flash', '0.1,0.9']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /ports: 102, 103/);
  const d = withRepos(dir, (repos) => repos.devices.get('0011223344bb'))!;
  t.same([d.lines, d.hookFlashMin, d.hookFlashMax], [['102', '103'], 0.1, 0.9]);

  const preset = await cli(dir, ['device', 'add', '0011223344bc', '--model', 'spa112', '--line', '101', '--hook-flash-preset', 'europe-270ms']);
  t.equal(preset.code, 0, preset.stderr);
  t.equal(withRepos(dir, (repos) => repos.devices.get('0011223344bc')?.hookFlashPreset), 'europe-270ms');
  withRepos(dir, (repos) => repos.devices.remove('0011223344bc'));

  const cases: [string[], RegExp][] = [
    [['--model', 'spa112', '--line', '101,102,103'], /spa112 has 2 ports, but 3 lines were given/],
    [['--model', 'spa999', '--line', '101'], /model "spa999" is not known \(known models: .*spa112.*spa303/],
    [['--model', 'spa303', '--line', '150'], /line 1: extension 150 does not exist/],
    [['--model', 'spa303', '--line', '101', '--blf', '4:102'], /spa303 has 3 line keys; key 4/],
    [['--model', 'spa303', '--line', '101,102', '--blf', '2:103'], /key 2 is already used by line 2/],
    [['--model', 'spa303', '--line', '101', '--hook-flash-preset', 'long'], /spa303 has no hook-flash timers/],
    [['--model', 'spa112', '--line', '101', '--hook-flash-preset', 'nope'], /unknown hook-flash preset "nope"/],
    [['--model', 'spa112', '--line', '101', '--hook-flash', '0.9,0.1'], /hook-flash (minimum|maximum)/],
    [['--model', 'spa303', '--line', '101', '--blf', 'garbage'], /blf "garbage" is not allowed: expected <key>:<extension>/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(dir, ['device', 'add', '0011223344cc', ...args]);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  const badMac = await cli(dir, ['device', 'add', '00:11:zz', '--model', 'spa303', '--line', '101']);
  t.match(badMac.stderr, /mac "00:11:zz" is not a MAC address \(accepted: /);
  const dup = await cli(dir, ['device', 'add', '0011223344BB', '--model', 'spa112', '--line', '101']);
  t.match(dup.stderr, /device 0011223344bb already exists/);
  t.equal(withRepos(dir, (repos) => repos.devices.list().length), 1, 'no failed add wrote anything');
});

t.test('device reopen and remove', async (t) => {
  const dir = await office(t);
  await cli(dir, ['device', 'add', '0011223344aa', '--model', 'spa303', '--line', '101']);
  withRepos(dir, (repos) => repos.devices.update('0011223344aa', { secretUrlConfirmed: true }));
  t.match((await cli(dir, ['device', 'list'])).stdout, /on secret URL/);
  const r = await cli(dir, ['device', 'reopen', '00:11:22:33:44:AA']);
  t.equal(r.code, 0);
  t.equal(withRepos(dir, (repos) => repos.devices.get('0011223344aa')?.secretUrlConfirmed), false);
  t.equal((await cli(dir, ['device', 'reopen', '0011223344ff'])).code, 1);
  t.equal((await cli(dir, ['device', 'remove', '0011223344aa'])).code, 0);
  const again = await cli(dir, ['device', 'remove', '0011223344aa']);
  t.equal(again.code, 1);
  t.match(again.stderr, /device 00:11:22:33:44:aa does not exist/);
});

function secretsOf(dir: string): { device: Device; ext: Extension } {
  return withRepos(dir, (repos) => ({ device: repos.devices.get('0011223344aa')!, ext: repos.extensions.get('101')! }));
}

t.test('device render masks secrets unless --show-secrets', async (t) => {
  const dir = await office(t);
  await cli(dir, ['device', 'add', '0011223344aa', '--model', 'spa303', '--line', '101', '--blf', '2:102']);
  const { device, ext } = secretsOf(dir);
  const masked = await cli(dir, ['device', 'render', '00:11:22:33:44:aa']);
  t.equal(masked.code, 0, masked.stderr);
  t.match(masked.stdout, /^<\?xml/);
  t.match(masked.stdout, /Recepcja/);
  for (const secret of [ext.sipPassword, device.adminPassword, device.provisioningToken]) {
    t.notMatch(masked.stdout, secret, 'secret not printed');
  }
  const clear = await cli(dir, ['device', 'render', '0011223344aa', '--show-secrets']);
  t.equal(clear.code, 0);
  for (const secret of [ext.sipPassword, device.adminPassword, device.provisioningToken]) {
    t.match(clear.stdout, secret, 'secret printed with --show-secrets');
  }
  t.equal((await cli(dir, ['device', 'render', '0011223344ff'])).code, 1);
});

t.test('device diff: changes since last fetch and report differences, secrets as (changed)', async (t) => {
  const dir = await office(t);
  await cli(dir, ['device', 'add', '0011223344aa', '--model', 'spa303', '--line', '101']);
  const before = await cli(dir, ['device', 'diff', '0011223344aa']);
  t.equal(before.code, 0, before.stderr);
  t.match(before.stdout, /has not fetched its profile yet/);
  t.match(before.stdout, /no Report_Rule upload received yet/);

  // What the pipeline saves when the device fetches: the params of a full render.
  const config = loadConfig({ env: { HOOKFLASH_DATA_DIR: dir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1' } });
  const renderer = createProfileRenderer({
    models: loadDeviceModels(),
    env: { publicHost: config.publicHost, httpPort: config.http.port, sipPort: config.sip.port, sipDomain: config.sip.domain, provisioning: config.provisioning, settings: {} },
  });
  const served = withRepos(dir, (repos) => {
    const device = repos.devices.get('0011223344aa')!;
    const params = renderer.renderDevice(device, new Map([['101', repos.extensions.get('101')!]])).params;
    repos.servedSnapshots.save({ mac: device.mac, params, at: '2026-01-01T00:00:00.000Z' });
    return params;
  });
  const unchanged = await cli(dir, ['device', 'diff', '0011223344aa']);
  t.match(unchanged.stdout, /profile unchanged since last fetch \(2026-01-01T00:00:00.000Z\)/);

  const nameParam = Object.keys(served).find((k) => served[k] === 'Recepcja');
  t.ok(nameParam, 'the display name is a served parameter');
  const passwordParam = Object.keys(served).find((k) => /^Password_1_$/.test(k));
  t.ok(passwordParam, 'the line password is a served parameter');
  const oldPassword = served[passwordParam!]!;
  await cli(dir, ['extension', 'set', '101', '--name', 'Sekretariat', '--rotate-password']);
  const newPassword = withRepos(dir, (repos) => repos.extensions.get('101')!.sipPassword);
  withRepos(dir, (repos) => repos.reports.save({
    mac: '0011223344aa', firmware: '7.6.2c', receivedAt: '2026-01-02T00:00:00.000Z',
    params: { ...served, [nameParam!]: 'Old Name', [passwordParam!]: 'something-else' },
  }));
  const diff = await cli(dir, ['device', 'diff', '0011223344aa']);
  t.equal(diff.code, 0, diff.stderr);
  t.match(diff.stdout, new RegExp(`~ ${nameParam}: "Recepcja" -> "Sekretariat"`));
  t.match(diff.stdout, new RegExp(`~ ${passwordParam}: \\(changed\\)`));
  t.match(diff.stdout, /device report \(2026-01-02T00:00:00.000Z, firmware 7.6.2c\) differs from last served/);
  t.match(diff.stdout, new RegExp(`~ ${nameParam}: "Old Name" -> "Recepcja"`));
  for (const secret of [oldPassword, newPassword, 'something-else']) t.notMatch(diff.stdout, secret, 'no secret in clear');
});

t.test('device set changes lines, keys and hook flash, validated against the model', async (t) => {
  const dir = await office(t);
  await cli(dir, ['device', 'add', '0011223344aa', '--model', 'spa303', '--line', '101', '--blf', '2:102']);
  await cli(dir, ['device', 'add', '0011223344bb', '--model', 'spa112', '--line', '102']);
  const r = await cli(dir, ['device', 'set', '00:11:22:33:44:aa', '--line', '101,103', '--label', 'Front desk', '--blf', '3:102:Anna']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'device 00:11:22:33:44:aa updated (lines: 101, 103)\n');
  let d = withRepos(dir, (repos) => repos.devices.get('0011223344aa'))!;
  t.same([d.lines, d.label, d.functionKeys], [['101', '103'], 'Front desk', [{ key: 3, kind: 'blf', target: '102', label: 'Anna' }]]);
  const clash = await cli(dir, ['device', 'set', '0011223344aa', '--line', '101,102,103']);
  t.equal(clash.code, 1);
  t.match(clash.stderr, /key 3 is already used by line 3/);
  t.equal((await cli(dir, ['device', 'set', '0011223344aa', '--line', '101,102,103', '--clear-keys'])).code, 0);
  d = withRepos(dir, (repos) => repos.devices.get('0011223344aa'))!;
  t.same([d.lines, d.functionKeys], [['101', '102', '103'], []]);
  const hf = await cli(dir, ['device', 'set', '0011223344bb', '--hook-flash', '0.1,0.9']);
  t.equal(hf.code, 0, hf.stderr);
  t.equal(withRepos(dir, (repos) => repos.devices.get('0011223344bb')!.hookFlashMax), 0.9);
  t.equal((await cli(dir, ['device', 'set', '0011223344bb', '--clear-hook-flash'])).code, 0);
  t.equal(withRepos(dir, (repos) => repos.devices.get('0011223344bb')!.hookFlashMax), null);
  const nothing = await cli(dir, ['device', 'set', '0011223344bb']);
  t.equal(nothing.code, 2);
  t.match(nothing.stderr, /nothing to change/);
});
