/**
 * "Resync now" on the device page and POST /api/devices/:mac/resync. With a real PBX (the
 * bundled SIP server, drachtio-srf, the registrar) and a SIPp UAS as the registered phone, the
 * button makes the NOTIFY (Event: check-sync) reach the phone; without a PBX the button is
 * disabled and says why.
 */
import t from 'tap';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWebStack, login, type WebStack } from '../helpers/web.js';
import type { TestContext } from '../helpers/provisioning.js';
import { startPbxStack } from '../helpers/pbx/stack.js';
import { createRegisterClient, registerForHandoff } from '../helpers/pbx/register-client.js';
import { startSipp, describeSipp } from '../helpers/sip/sipp.js';
import { silentLogger } from '../../src/log.js';
import { createDeviceResync, type DeviceResync } from '../../src/web/device-resync.js';
import type { RequestingSrf } from '../../src/pbx/srf-types.js';

const MAC = '0011223344aa';
const scenario = join(dirname(fileURLToPath(import.meta.url)), '..', 'pbx', 'sipp', 'uas-notify-check-sync.xml');

async function tokenFor(s: WebStack, b: NonNullable<Awaited<ReturnType<typeof login>>['session']>) {
  const page = await b.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(page.body)![1]!;
  return (url: string) => s.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });
}

async function withDevice(t: TestContext, resync?: DeviceResync) {
  const s = await buildWebStack(t, resync ? { options: { resync } } : {});
  await s.addUser('anna', 'admin');
  await s.addUser('tech', 'installer');
  s.repos.extensions.add({ number: '102', displayName: 'Anna', sipPassword: 'secret-102' });
  s.repos.devices.add({ mac: MAC, model: 'spa303', lines: ['102'] });
  const b = (await login(s.app, 'anna')).session!;
  return { s, b, api: await tokenFor(s, b) };
}

t.test('without a PBX the button is disabled and says why; POSTs answer 503 and nothing is audited', async (t) => {
  const { s, b, api } = await withDevice(t);
  const page = await b.get(`/admin/devices/${MAC}`);
  t.match(page.body, /<button type="submit" id="resync" disabled aria-describedby="resync-why">Resync now<\/button>/);
  t.match(page.body, /id="resync-why">Resync is not available: the PBX is not running/);
  const posted = await b.post(`/admin/devices/${MAC}/resync`, {});
  t.equal(posted.statusCode, 503);
  t.match(posted.body, /class="error"[^>]*>Resync is not available: the PBX is not running/);
  const viaApi = await api(`/api/devices/${MAC}/resync`);
  t.equal(viaApi.statusCode, 503);
  t.same(viaApi.json().error.code, 'HF_PBX_UNAVAILABLE');
  t.match(viaApi.json().error.message, /the PBX is not running/);
  t.equal(s.repos.audit.recent(50).filter((e) => e.action === 'device.resync').length, 0);
});

t.test('a provider that fails (PBX stopped) is reported, audited, and the process carries on', async (t) => {
  const { s, b, api } = await withDevice(t, async () => { throw new Error('the PBX is not running'); });
  const page = await b.get(`/admin/devices/${MAC}`);
  t.match(page.body, /<button type="submit" id="resync" >Resync now<\/button>/, 'enabled when a provider is wired');
  const posted = await b.post(`/admin/devices/${MAC}/resync`, {});
  t.equal(posted.statusCode, 503);
  t.match(posted.body, /Resync not sent: the PBX is not running\./);
  const viaApi = await api(`/api/devices/${MAC}/resync`);
  t.equal(viaApi.statusCode, 503);
  t.match(viaApi.json().error.message, /Resync not sent: the PBX is not running/);
  const rows = s.repos.audit.recent(50).filter((e) => e.action === 'device.resync');
  t.equal(rows.length, 2);
  t.same(rows.map((r) => r.actor).sort(), ['token:ci', 'user:anna']);
  t.equal((await api('/api/devices/00:11:22:33:44:bb/resync')).statusCode, 404, 'unknown device');
  t.equal((await b.post('/admin/devices/0011223344bb/resync', {})).statusCode, 404);
});

/** A web stack whose resync goes through a real PBX stack (NOTIFY timeout `timeoutMs`). */
async function withDeviceOnRealPbx(t: TestContext, timeoutMs: number) {
  const pbx = await startPbxStack(t);
  let provider: DeviceResync | null = null;
  const web = await withDevice(t, (mac) => provider!(mac));
  provider = createDeviceResync({
    srf: pbx.srf as unknown as RequestingSrf, findContacts: pbx.pbx.findContacts, devices: web.s.repos.devices, logger: silentLogger(), timeoutMs,
  });
  return { pbx, ...web };
}

t.test('with the real PBX: "no registered phone" first, then the NOTIFY reaches the registered phone', async (t) => {
  const { pbx, s, b, api } = await withDeviceOnRealPbx(t, 3000);

  const none = await b.post(`/admin/devices/${MAC}/resync`, {});
  t.equal(none.statusCode, 409);
  t.match(none.body, /class="error"[^>]*>No registered phone: no line of 00:11:22:33:44:aa \(102\) is registered/);
  const noneApi = await api(`/api/devices/${MAC}/resync`);
  t.equal(noneApi.statusCode, 409);
  t.equal(noneApi.json().error.code, 'HF_NOT_REGISTERED');
  t.equal(noneApi.json().sent, 0);

  const tech = (await login(s.app, 'tech')).session!;
  t.equal((await tech.post(`/admin/devices/${MAC}/resync`, {})).statusCode, 403, 'installers cannot resync');
  const before = s.repos.audit.recent(100).filter((e) => e.action === 'device.resync').length;
  t.equal((await b.post(`/admin/devices/${MAC}/resync`, {}, null)).statusCode, 403, 'CSRF token required');
  t.equal(s.repos.audit.recent(100).filter((e) => e.action === 'device.resync').length, before, 'refused forms send nothing');

  // The phone registers 102, then its port is handed to a SIPp UAS that expects the NOTIFY.
  const port = await registerForHandoff(t, pbx.sut.sipPort, '102', 'secret-102');
  const sipp = await startSipp({ scenario, localPort: port, timeoutMs: 10_000, teardown: (fn) => t.teardown(fn) });

  const sent = await b.post(`/admin/devices/${MAC}/resync`, {});
  t.equal(sent.statusCode, 200);
  t.match(sent.body, /class="notice"[^>]*>Resync sent: the phone accepted it \(102\)/);
  const done = await sipp.done;
  t.equal(done.exitCode, 0, describeSipp(done));
  t.match(done.messages, /NOTIFY sip:102@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*Event: check-sync/);
  const row = s.repos.audit.recent(100).find((e) => e.action === 'device.resync' && (e.after as { sent: number }).sent === 1)!;
  t.equal(row.actor, 'user:anna');
  t.equal(row.target, MAC);
});

t.test('with the real PBX: a registered phone that does not answer the NOTIFY is reported (502), not shown as done', async (t) => {
  const { pbx, s, b, api } = await withDeviceOnRealPbx(t, 1000);
  // Registered, then silent: the client keeps its socket but never answers.
  const phone = await createRegisterClient(t, pbx.sut.sipPort);
  t.equal((await phone.registerWithAuth({ password: 'secret-102', expires: 600 })).status, 200);
  const page = await b.post(`/admin/devices/${MAC}/resync`, {});
  t.equal(page.statusCode, 502);
  t.match(page.body, /class="error"[^>]*>Resync sent to 1 registration\(s\) but none accepted it: 102 did not answer \(no answer within 1000 ms\)/);
  const viaApi = await api(`/api/devices/${MAC}/resync`);
  t.equal(viaApi.statusCode, 502);
  t.equal(viaApi.json().error.code, 'HF_RESYNC');
  const rows = s.repos.audit.recent(20).filter((e) => e.action === 'device.resync');
  t.same(rows.map((r) => (r.after as { accepted: number }).accepted), [0, 0]);
});
