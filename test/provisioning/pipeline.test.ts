import t from 'tap';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturingLogger, createProvisioningStack, seedOffice, SPA303_MAC, SPA112_MAC } from '../helpers/provisioning.js';
import { parseProfile, spaUserAgent } from '../helpers/spa-device.js';
import type { ProvisioningResult } from '../../src/provisioning/pipeline.js';

const UA_303 = spaUserAgent('SPA303', '7.6.2c', SPA303_MAC);
const ip = '192.0.2.10';

function bodyOf(result: ProvisioningResult): string {
  if (result.kind !== 'profile') throw new Error(`expected a profile, got ${JSON.stringify(result)}`);
  return result.body.toString('utf8');
}

t.test('bootstrap: generic file, sighting and log line with the body hash', async (t) => {
  const { service, repos } = createProvisioningStack(t);
  const result = await service.handle({ transport: 'tftp', file: '/SPA303.cfg', userAgent: null, ip });
  const body = bodyOf(result);
  t.match(result, { kind: 'profile', contentType: /^text\/xml/, withSecrets: false });
  const profile = await parseProfile(body);
  t.equal(profile.params.Profile_Rule, 'http://127.0.0.1:8080/spa/$MA.xml');
  await service.flush();
  t.match(repos.sightings.recent(1)[0], { mac: null, model: 'spa303', file: '/SPA303.cfg', transport: 'tftp', ip });
  const log = repos.provisioningLog.recent(1)[0]!;
  t.equal(log.bodySha256, createHash('sha256').update(body).digest('hex'));
  t.equal(log.file, '/SPA303.cfg');
});

t.test('unknown MAC: not found, but still a sighting for the installer page', async (t) => {
  const { service, repos } = createProvisioningStack(t);
  seedOffice(repos);
  const result = await service.handle({ transport: 'http', file: '/spa/a0b1c2d3e4f5.xml', userAgent: spaUserAgent('SPA303', '7.5.5', 'a0b1c2d3e4f5'), ip });
  t.match(result, { kind: 'not-found', reason: 'no device with MAC a0b1c2d3e4f5' });
  await service.flush();
  t.match(repos.sightings.unassigned(10), [{ mac: 'a0b1c2d3e4f5', model: 'spa303', firmware: '7.5.5' }]);
  t.equal(repos.provisioningLog.recent(10).length, 0, 'nothing served, nothing logged as served');
});

t.test('secrets flow: plain URL until the secret URL is used, then no secrets until reopen', async (t) => {
  const { service, repos } = createProvisioningStack(t);
  const { spa303 } = seedOffice(repos);
  const plain = { transport: 'http' as const, file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip };

  const first = await service.handle(plain);
  t.match(first, { kind: 'profile', withSecrets: true });
  const firstProfile = await parseProfile(bodyOf(first));
  t.equal(firstProfile.params.Password_1_, 'pw-101-secret');
  t.equal(firstProfile.params.Profile_Rule, `http://127.0.0.1:8080/spa/d/${spa303.provisioningToken}/$MA.xml`);
  t.equal(repos.devices.get(SPA303_MAC)!.secretUrlConfirmed, false, 'fetching the plain URL confirms nothing');

  const secret = await service.handle({ ...plain, file: `/spa/d/${spa303.provisioningToken}/${SPA303_MAC}.xml` });
  t.match(secret, { kind: 'profile', withSecrets: true });
  t.equal((await parseProfile(bodyOf(secret))).params.Password_2_, 'pw-102-secret');
  t.equal(repos.devices.get(SPA303_MAC)!.secretUrlConfirmed, true);

  const after = await service.handle(plain);
  t.match(after, { kind: 'profile', withSecrets: false });
  const afterBody = bodyOf(after);
  t.notMatch(afterBody, /pw-10[12]-secret/);
  t.notMatch(afterBody, new RegExp(spa303.provisioningToken));
  t.notMatch(afterBody, /Password/);

  repos.devices.reopen(SPA303_MAC);
  const reopened = await service.handle(plain);
  t.match(reopened, { kind: 'profile', withSecrets: true });
  t.equal((await parseProfile(bodyOf(reopened))).params.Password_1_, 'pw-101-secret');

  await service.flush();
  const log = repos.provisioningLog.recent(10);
  t.equal(log.length, 4);
  t.ok(log.every((e) => /^[0-9a-f]{64}$/.test(e.bodySha256)), 'only hashes in the log');
  t.ok(log.every((e) => !e.file.includes(spa303.provisioningToken)), 'no token in the log');
  t.ok(repos.sightings.recent(10).every((s) => !s.file.includes(spa303.provisioningToken)), 'no token in sightings');
  const snapshot = repos.servedSnapshots.get(SPA303_MAC)!;
  t.equal(snapshot.params.User_ID_1_, '101', 'full profile parameters were saved for device diff');
});

t.test('wrong token: 404, a sighting, and it counts toward the rate limit', async (t) => {
  let clock = 0;
  const { service, repos } = createProvisioningStack(t, {
    now: () => clock,
    config: { provisioning: { notFoundLimit: { max: 3, windowSeconds: 10, blockSeconds: 5 } } },
  });
  const { spa112 } = seedOffice(repos);
  const wrong = { transport: 'http' as const, file: `/spa/d/WrongToken123456/${SPA112_MAC}.xml`, userAgent: null, ip };
  t.match(await service.handle(wrong), { kind: 'not-found' });
  t.match(await service.handle({ ...wrong, file: `/spa/d/${spa112.provisioningToken}/${SPA303_MAC}.xml` }), { kind: 'not-found' },
    "another device's token does not open this MAC");
  t.match(await service.handle({ ...wrong, file: '/spa/ffffffffffff.xml' }), { kind: 'not-found' });
  t.match(await service.handle({ ...wrong, file: `/spa/${SPA112_MAC}.xml` }), { kind: 'rate-limited', retryAfterSeconds: 5 },
    'blocked even for a valid file');
  t.match(await service.handle({ ...wrong, ip: '192.0.2.99', file: `/spa/${SPA112_MAC}.xml` }), { kind: 'profile' },
    'other addresses still served');
  clock += 5_000;
  t.match(await service.handle({ ...wrong, file: `/spa/${SPA112_MAC}.xml` }), { kind: 'profile' }, 'the block expires');
  await service.flush();
  t.equal(repos.devices.get(SPA112_MAC)!.secretUrlConfirmed, false);
  t.ok(repos.sightings.recent(20).some((s) => s.file === `/spa/d/…/${SPA112_MAC}.xml`), 'wrong-token request recorded, token blanked');
});

t.test('allow-list: other addresses are refused before anything is recorded', async (t) => {
  const { service, repos } = createProvisioningStack(t, { config: { provisioning: { allowCidrs: ['10.0.0.0/8'] } } });
  seedOffice(repos);
  t.match(await service.handle({ transport: 'http', file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip }), {
    kind: 'forbidden', reason: 'client address is not in provisioning.allowCidrs',
  });
  t.match(await service.handle({ transport: 'http', file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip: '::ffff:10.1.2.3' }), {
    kind: 'profile',
  });
});

t.test('file names that try to leave the tree are refused with the reason', async (t) => {
  const { service, repos } = createProvisioningStack(t);
  const cases: Array<[string, RegExp]> = [
    ['../etc/passwd', /"\." or "\.\." segment/],
    ['/firmware/../../hookflash.sqlite', /"\." or "\.\." segment/],
    ['..\\..\\windows\\win.ini', /backslash/],
    ['/spa/%2e%2e/%2e%2e/etc/passwd', /percent-encoded/],
    ['spa303.cfg\u0000.xml', /control character/],
    ['//etc/passwd', /absolute path/],
    ['C:/boot.ini', /colon/],
  ];
  for (const [file, reason] of cases) {
    t.match(await service.handle({ transport: 'tftp', file, userAgent: null, ip }), { kind: 'forbidden', reason }, JSON.stringify(file));
  }
  t.match(await service.handle({ transport: 'tftp', file: '/etc/passwd', userAgent: null, ip }), { kind: 'not-found' },
    'an absolute name is just a name we do not serve');
  await service.flush();
  t.ok(repos.sightings.recent(20).some((s) => s.file === 'spa303.cfg\\u0000.xml'), 'control characters stored escaped');
});

t.test("a User-Agent asking for another device's profile is refused", async (t) => {
  const { service, repos } = createProvisioningStack(t);
  seedOffice(repos);
  const result = await service.handle({
    transport: 'http', file: `/spa/${SPA303_MAC}.xml`, userAgent: spaUserAgent('SPA303', '7.6.2c', 'a0a0a0a0a0a0'), ip,
  });
  t.match(result, { kind: 'forbidden', reason: `User-Agent names MAC a0a0a0a0a0a0, the path asks for ${SPA303_MAC}` });
});

t.test('firmware: only images listed in a model and present on disk', async (t) => {
  const { service, firmwareDir } = createProvisioningStack(t);
  const image = Buffer.alloc(4096, 7);
  writeFileSync(join(firmwareDir, 'spa50x-30x-7-6-2c.bin'), image);
  writeFileSync(join(firmwareDir, 'not-listed.bin'), image);
  t.same(await service.handle({ transport: 'http', file: '/firmware/spa50x-30x-7-6-2c.bin', userAgent: UA_303, ip }), {
    kind: 'firmware', path: join(firmwareDir, 'spa50x-30x-7-6-2c.bin'), size: 4096, file: 'spa50x-30x-7-6-2c.bin',
  });
  t.match(await service.handle({ transport: 'http', file: '/firmware/not-listed.bin', userAgent: UA_303, ip }), {
    kind: 'not-found', reason: /not listed in any device model/,
  });
  t.match(await service.handle({ transport: 'http', file: '/firmware/spa50x-30x-7-5-5.bin', userAgent: UA_303, ip }), {
    kind: 'not-found', reason: /listed but not present/,
  });
});

t.test('reports: saved for the right token; wrong token or bad XML saves nothing', async (t) => {
  const { service, repos } = createProvisioningStack(t);
  const { spa303 } = seedOffice(repos);
  const good = Buffer.from('<flat-profile><Software_Version>7.6.2c</Software_Version><User_ID_1_>101</User_ID_1_></flat-profile>');
  const base = { mac: SPA303_MAC, token: spa303.provisioningToken, ip, userAgent: UA_303, contentType: 'text/xml' };
  t.match(await service.handleReport({ ...base, token: 'WrongToken123456', body: good }), { kind: 'not-found' });
  t.match(await service.handleReport({ ...base, body: Buffer.from('<flat-profile><A>') }), { kind: 'rejected', status: 400 });
  t.equal(repos.reports.latest(SPA303_MAC), undefined, 'nothing saved');
  t.same(await service.handleReport({ ...base, body: good }), { kind: 'saved', mac: SPA303_MAC, firmware: '7.6.2c', paramCount: 2 });
  t.match(repos.reports.latest(SPA303_MAC), { mac: SPA303_MAC, firmware: '7.6.2c', params: { User_ID_1_: '101' } });
  const noVersion = Buffer.from('<flat-profile><User_ID_1_>101</User_ID_1_></flat-profile>');
  t.match(await service.handleReport({ ...base, userAgent: spaUserAgent('SPA303', '7.5.5', SPA303_MAC), body: noVersion }), {
    kind: 'saved', firmware: '7.5.5',
  }, 'firmware from the User-Agent when the report has no version');
});

t.test('device cache: admin edits show after the cache lifetime; report uploads invalidate at once', async (t) => {
  let clock = 1_000;
  const { service, repos } = createProvisioningStack(t, { deviceCacheMs: 1000, now: () => clock });
  const { spa303 } = seedOffice(repos);
  const plain = { transport: 'http' as const, file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip };
  t.equal((await parseProfile(bodyOf(await service.handle(plain)))).params.Station_Name, 'Reception');
  repos.devices.update(SPA303_MAC, { label: 'Front desk' });
  t.equal((await parseProfile(bodyOf(await service.handle(plain)))).params.Station_Name, 'Reception', 'within the lifetime: cached');
  clock += 1000;
  t.equal((await parseProfile(bodyOf(await service.handle(plain)))).params.Station_Name, 'Front desk', 'after it: the edit');

  // An old firmware report makes the renderer add an Upgrade_Rule (if an image is known): the
  // profile must be re-rendered right after the upload, not a cache lifetime later.
  const before = bodyOf(await service.handle(plain));
  await service.handleReport({
    mac: SPA303_MAC, token: spa303.provisioningToken, ip, userAgent: UA_303, contentType: 'text/xml',
    body: Buffer.from('<flat-profile><Software_Version>7.5.5</Software_Version></flat-profile>'),
  });
  const after = bodyOf(await service.handle(plain));
  t.not(after, before, 'profile re-rendered after the report');
  t.match(after, /<Upgrade_Rule>[^<]*spa50x-30x-7-6-2c\.bin<\/Upgrade_Rule>/);
});

t.test('writer thread: activity is committed by its own connection; close() drains it', async (t) => {
  const { logger, lines } = capturingLogger('warn');
  const { service, repos } = createProvisioningStack(t, { writerThread: true, logger });
  seedOffice(repos);
  for (let i = 0; i < 25; i++) {
    await service.handle({ transport: 'http', file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip });
  }
  await service.flush();
  t.equal(repos.provisioningLog.recent(100).length, 25, 'every request logged');
  t.equal(repos.sightings.recent(100).length, 25, 'every request sighted');
  t.equal(repos.servedSnapshots.get(SPA303_MAC)!.params.User_ID_1_, '101');
  await service.handle({ transport: 'http', file: '/spa/ffffffffffff.xml', userAgent: null, ip });
  await service.close();
  t.equal(repos.sightings.recent(100).length, 26, 'close() wrote the last queued row');
  t.same(lines, [], 'the thread ran: no fallback warnings or errors');
});

t.test('secrets never reach the log, even at debug level', async (t) => {
  const { logger, text } = capturingLogger('debug');
  const { service, repos } = createProvisioningStack(t, { logger });
  const { spa303 } = seedOffice(repos);
  const plain = { transport: 'http' as const, file: `/spa/${SPA303_MAC}.xml`, userAgent: UA_303, ip };
  await service.handle(plain);
  await service.handle({ ...plain, file: `/spa/d/${spa303.provisioningToken}/${SPA303_MAC}.xml` });
  await service.handle(plain);
  await service.handle({ ...plain, file: `/spa/d/${spa303.provisioningToken}x/${SPA303_MAC}.xml` });
  await service.handleReport({
    mac: SPA303_MAC, token: spa303.provisioningToken, ip, userAgent: UA_303, contentType: 'text/xml',
    body: Buffer.from('<flat-profile><Password_1_>pw-101-secret</Password_1_></flat-profile>'),
  });
  const logged = text();
  t.match(logged, /device moved to its secret profile URL/, 'the flow was logged');
  for (const secret of ['pw-101-secret', 'pw-102-secret', spa303.provisioningToken, spa303.adminPassword]) {
    t.notOk(logged.includes(secret), `log does not contain ${secret.slice(0, 6)}…`);
  }
});
