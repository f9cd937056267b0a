/**
 * In-dialog conformance through the real drachtio-srf (protocol notes §4.4): INFO and
 * re-INVITE both ways, REFER with NOTIFY, BYE. Caller app on one embedded server, callee
 * app on another, like drachtio's own two-server testbed.
 */
import t from 'tap';
import { SDP_A, SDP_B, delay, once, startEmbeddedServer } from '../helpers/srf.js';
import type { EmbeddedServer, SrfApp, SrfReq, SrfRes, Teardownable } from '../helpers/srf.js';

interface Call {
  near: EmbeddedServer;
  far: EmbeddedServer;
  uac: SrfApp;
  uas: SrfApp;
}

async function establishCall(t: Teardownable): Promise<Call> {
  const far = await startEmbeddedServer(t);
  let resolveUas: (d: SrfApp) => void = () => undefined;
  const uasReady = new Promise<SrfApp>((resolve) => { resolveUas = resolve; });
  await far.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    resolveUas(await srf.createUAS(req, res, { localSdp: SDP_B }));
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const uac = await app.createUAC(far.uri('callee'), { localSdp: SDP_A });
  const uas = await uasReady;
  // The callee's Dialog exists once the ACK arrived; give srf a tick to bind it.
  await delay(20);
  return { near, far, uac, uas };
}

t.test('INFO both ways with bodies and custom headers', async (t) => {
  const { uac, uas } = await establishCall(t);
  const infoAtUas = once<[SrfReq, SrfRes]>(uas, 'info');
  const sentA = uac.request({ method: 'INFO', headers: { 'Content-Type': 'application/dtmf-relay', 'X-Seq': '1' }, body: 'Signal=5\r\nDuration=160\r\n' });
  const [reqAtUas, resAtUas] = await infoAtUas;
  resAtUas.send(200);
  t.equal((await sentA).status, 200);
  t.equal(reqAtUas.get('X-Seq'), '1');
  t.match(reqAtUas.body, /Signal=5/);

  uac.on('info', (req: SrfReq, res: SrfRes) => res.send(200, { headers: { 'X-Got': req.get('X-Dir') } }));
  const resB = await uas.request({ method: 'INFO', headers: { 'X-Dir': 'back', 'Content-Type': 'text/plain' }, body: 'hi' });
  t.equal(resB.status, 200);
  t.equal(resB.get('X-Got'), 'back');
  await uac.destroy();
});

t.test('re-INVITE from the caller, then from the callee (dialog.modify both ways)', async (t) => {
  const { uac, uas } = await establishCall(t);
  const newOffer = SDP_A.replace('40000', '41000').replace('o=- 1 1', 'o=- 1 2');
  uas.on('modify', (req: SrfReq, res: SrfRes) => {
    res.send(200, { body: SDP_B.replace('40002', '41002') });
    t.match(req.body, /41000/, 'callee sees the new offer');
  });
  await uac.modify(newOffer);
  t.match(uac.remote.sdp, /41002/, 'caller got the new answer');

  uac.on('modify', (_req: SrfReq, res: SrfRes) => res.send(200, { body: newOffer.replace('41000', '42000') }));
  await uas.modify(SDP_B.replace('40002', '42002').replace('o=- 2 2', 'o=- 2 3'));
  t.match(uas.remote.sdp, /42000/, 'callee got the caller answer');

  const destroyed = once<[SrfReq, string]>(uas, 'destroy');
  await uac.destroy();
  const [, why] = await destroyed;
  t.equal(why, 'normal release');
});

t.test('REFER from the callee, 202, NOTIFY with sipfrag back', async (t) => {
  const { uac, uas } = await establishCall(t);
  uac.on('refer', async (req: SrfReq, res: SrfRes) => {
    res.send(202);
    await uac.request({
      method: 'NOTIFY',
      headers: { Event: 'refer', 'Subscription-State': 'terminated;reason=noresource', 'Content-Type': 'message/sipfrag;version=2.0' },
      body: 'SIP/2.0 200 OK\r\n',
    });
    t.match(req.get('Refer-To'), /sip:carol@/);
  });
  const notified = once<[SrfReq, SrfRes]>(uas, 'notify');
  const referRes = await uas.request({ method: 'REFER', headers: { 'Refer-To': '<sip:carol@127.0.0.1>', 'Referred-By': '<sip:bob@127.0.0.1>' } });
  t.equal(referRes.status, 202);
  const [notify, res] = await notified;
  res.send(200);
  t.equal(notify.get('Event'), 'refer');
  t.match(notify.body, /^SIP\/2\.0 200 OK/);
  t.ok(uas.connected, 'a refer NOTIFY does not end the INVITE dialog');
  await uac.destroy();
});

t.test('BYE from the callee ends both dialogs on both servers', async (t) => {
  const { near, far, uac, uas } = await establishCall(t);
  t.equal(near.server.stats().core.dialogs, 1);
  t.equal(far.server.stats().core.dialogs, 1);
  const destroyed = once<[SrfReq, string]>(uac, 'destroy');
  await uas.destroy();
  await destroyed;
  await delay(20);
  t.equal(near.server.stats().core.dialogs, 0);
  t.equal(far.server.stats().core.dialogs, 0);
});

t.test('in-dialog request for an unknown dialog id is refused', async (t) => {
  const { uac } = await establishCall(t);
  await uac.destroy();
  const error = await uac.request({ method: 'INFO' }).then(() => null, (err: Error & { code?: string }) => err);
  t.ok(error, 'request on a destroyed dialog fails');
});
