import t from 'tap';
import { extensions, models, parseProfile, renderer, spa112, spa303 } from './content-fixtures.js';

for (const modelId of ['spa303', 'spa112']) {
  t.test(`${modelId}.cfg bootstrap: no secrets, no lines, points at the per-MAC URL`, async (t) => {
    const profile = renderer().renderBootstrap(modelId);
    const { flat } = await parseProfile(profile.body);
    t.equal(flat.Profile_Rule, 'http://192.0.2.10:8080/spa/$MA.xml');
    t.equal(flat.Resync_On_Reset, 'Yes');
    t.equal(flat.Resync_From_SIP, 'Yes');
    t.ok(Number(flat.Resync_Random_Delay) >= 0, 'random delay set');
    t.ok(Number(flat.Resync_Error_Retry_Delay) > 0, 'error retry delay is never 0');
    const lines = models.get(modelId)!.lines;
    for (let n = 1; n <= lines; n++) t.equal(flat[`Line_Enable_${n}_`], 'No', `Line_Enable_${n}_ No`);
    const names = Object.keys(profile.params);
    t.notOk(names.some((n) => /Password|Passwd|User_ID|Auth_ID|Report_Rule/.test(n)), 'no credential parameters at all');
    t.same(profile.secretParams, [], 'nothing secret');
    t.notOk(profile.body.includes('/spa/d/'), 'no secret URL');
  });
}

t.test('bootstrap error retry is clamped above 0 and port 80 is omitted', async (t) => {
  const r = renderer({ httpPort: 80, provisioning: { ...(await import('./content-fixtures.js')).provisioning, resyncErrorRetrySeconds: 0 } });
  const { flat } = await parseProfile(r.renderBootstrap('spa303').body);
  t.equal(flat.Resync_Error_Retry_Delay, '30');
  t.equal(flat.Profile_Rule, 'http://192.0.2.10/spa/$MA.xml');
  t.throws(() => r.renderBootstrap('spa999'), { name: 'ValidationError', message: /unknown device model "spa999"/ });
});

t.test('without-secrets profile: timers only, no Profile_Rule, no secrets', async (t) => {
  for (const device of [spa303(), spa112()]) {
    const profile = renderer().renderDevice(device, extensions, { withoutSecrets: true });
    const { flat } = await parseProfile(profile.body);
    t.equal(flat.Resync_Periodic, '3600');
    t.notOk('Profile_Rule' in flat, 'Profile_Rule left out so the device keeps its secret URL');
    t.notOk(profile.body.includes(device.provisioningToken), 'no token');
    t.notOk(profile.body.includes(device.adminPassword), 'no admin password');
    t.notOk(/pw-\d+-secret|S3cr/.test(profile.body), 'no SIP password');
    t.same(profile.secretParams, []);
  }
});
