import t from 'tap';
import { diffParams } from '../../src/provisioning/render.js';
import { fingerprintSecret, fingerprintSecrets } from '../../src/provisioning/diff.js';
import { extensions, renderer, spa303, TOKEN } from './content-fixtures.js';

t.test('diffParams: added, removed, changed, secrets masked', async (t) => {
  const changes = diffParams(
    { A: '1', B: '2', Password_1_: 'old', Same: 'x' },
    { A: '1', B: '3', Password_1_: 'new', C: 'added' },
    ['Password_1_'],
  );
  t.same(changes, [
    { name: 'B', change: 'changed', before: '2', after: '3' },
    { name: 'C', change: 'added', after: 'added' },
    { name: 'Password_1_', change: 'changed', before: '(secret)', after: '(secret)' },
    { name: 'Same', change: 'removed', before: 'x' },
  ]);
  t.same(diffParams({ Password_1_: 'same' }, { Password_1_: 'same' }, ['Password_1_']), [], 'an unchanged secret is no change');
});

t.test('rendered profiles diff without leaking secrets', async (t) => {
  const r = renderer();
  const before = r.renderDevice(spa303({ lines: ['10'] }), extensions);
  const after = r.renderDevice(spa303({ lines: ['10', '11'], adminPassword: 'NewAdmin' }), extensions);
  const changes = diffParams(before.params, after.params, [...new Set([...before.secretParams, ...after.secretParams])]);
  const byName = new Map(changes.map((c) => [c.name, c]));
  t.same(byName.get('Line_Enable_2_'), { name: 'Line_Enable_2_', change: 'changed', before: 'No', after: 'Yes' });
  t.same(byName.get('Admin_Passwd'), { name: 'Admin_Passwd', change: 'changed', before: '(secret)', after: '(secret)' });
  t.same(byName.get('Password_2_'), { name: 'Password_2_', change: 'changed', before: '(secret)', after: '(secret)' });
  t.notOk(JSON.stringify(changes).includes('pw-11-secret'), 'no SIP password in the diff');
  t.notOk(JSON.stringify(changes).includes('NewAdmin'));
});

t.test('secretParams and maskSecrets', async (t) => {
  const profile = renderer().renderDevice(spa303({ lines: ['10', '11'] }), extensions);
  for (const name of ['Password_1_', 'Password_2_', 'Admin_Passwd', 'Profile_Rule', 'Report_Rule']) {
    t.ok(profile.secretParams.includes(name), `${name} is secret`);
  }
  t.notOk(profile.secretParams.includes('User_ID_1_'));
  t.notOk(profile.secretParams.includes('Display_Name_1_'));

  const masked = renderer().renderDevice(spa303({ lines: ['10', '11'] }), extensions, { maskSecrets: true });
  t.notOk(masked.body.includes(TOKEN), 'token masked');
  t.notOk(masked.body.includes('AdminPw-303'), 'admin password masked');
  t.notOk(masked.body.includes('pw-11-secret') || masked.body.includes('S3cr'), 'SIP passwords masked');
  t.equal(masked.params.Password_1_, '(secret)');
  t.equal(masked.params.Profile_Rule, 'http://192.0.2.10:8080/spa/d/(secret)/$MA.xml');
  t.equal(masked.params.User_ID_1_, '10', 'non-secret values stay');
});

t.test('rendered profiles are shared from the cache, so they are read-only', async (t) => {
  const profile = renderer().renderDevice(spa303(), extensions);
  t.throws(() => { (profile.params as Record<string, string>).Admin_Passwd = 'x'; }, TypeError);
  t.throws(() => { profile.secretParams.push('x'); }, TypeError);
  t.equal(profile.params.Admin_Passwd, 'AdminPw-303');
  t.same(JSON.parse(JSON.stringify(profile)).params.User_ID_1_, '10', 'serialisable with its params');
});

t.test('snapshots keep fingerprints, not secrets, and still diff against real values', async (t) => {
  const served = { Password_1_: 'pw-10-secret', Admin_Passwd: '', Display_Name_1_: 'Anna' };
  const stored = fingerprintSecrets(served);
  t.not(stored.Password_1_, 'pw-10-secret', 'the password itself is not stored');
  t.notOk(JSON.stringify(stored).includes('pw-10-secret'));
  t.match(stored.Password_1_, /^hookflash-sha256:[0-9a-f]{32}$/);
  t.equal(stored.Admin_Passwd, '', 'an empty secret stays empty (nothing to hide, and "no password" stays visible)');
  t.equal(stored.Display_Name_1_, 'Anna', 'ordinary values are kept as they are');
  t.equal(fingerprintSecret(stored.Password_1_!), stored.Password_1_, 'fingerprinting is idempotent');
  const secretNames = ['Password_1_', 'Admin_Passwd'];
  t.same(diffParams(stored, served, secretNames), [], 'same password → no change');
  t.same(diffParams(stored, { ...served, Password_1_: 'rotated' }, secretNames),
    [{ name: 'Password_1_', change: 'changed', before: '(secret)', after: '(secret)' }], 'a rotated password shows as changed');
});
