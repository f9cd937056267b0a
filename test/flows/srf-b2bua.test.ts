/**
 * createB2BUA through the real drachtio-srf: SIPp (built-in `uac`) calls an app on one
 * embedded server, which bridges to an app on a second server. Provisionals, the 200,
 * the ACK and the caller's BYE must all cross both legs.
 */
import t from 'tap';
import { SDP_B, delay, once, runSipp, startEmbeddedServer } from '../helpers/srf.js';
import type { SrfApp, SrfReq, SrfRes } from '../helpers/srf.js';

t.test('SIPp → B2BUA app → callee app, BYE from SIPp tears down both legs', async (t) => {
  const far = await startEmbeddedServer(t);
  let resolveCallee: (d: SrfApp) => void = () => undefined;
  const callee = new Promise<SrfApp>((resolve) => { resolveCallee = resolve; });
  await far.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    res.send(180);
    resolveCallee(await srf.createUAS(req, res, { localSdp: SDP_B, headers: { 'X-Callee': 'far' } }));
  }));
  const near = await startEmbeddedServer(t);
  let resolveLegs: (legs: { uas: SrfApp; uac: SrfApp }) => void = () => undefined;
  const legs = new Promise<{ uas: SrfApp; uac: SrfApp }>((resolve) => { resolveLegs = resolve; });
  await near.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    const { uas, uac } = await srf.createB2BUA(req, res, far.uri('bob'), { proxyResponseHeaders: ['X-Callee'] });
    // srf leaves teardown policy to the app (its documented pattern).
    uas.on('destroy', () => uac.destroy());
    uac.on('destroy', () => uas.destroy());
    resolveLegs({ uas, uac });
  }));
  const sipp = runSipp(`127.0.0.1:${near.sipPort}`, ['-sn', 'uac', '-d', '300']);
  const calleeDialog = await callee;
  const calleeGone = once<[SrfReq, string]>(calleeDialog, 'destroy', 8000);
  const { uas, uac } = await legs;
  t.equal(uas.type, 'uas');
  t.equal(uac.type, 'uac');
  t.match(uas.local.sdp, /40002/, 'A leg answered with the B leg SDP');
  const [, why] = await calleeGone;
  t.equal(why, 'normal release', 'the B2BUA relayed the BYE');
  const result = await sipp;
  t.equal(result.code, 0, `SIPp call succeeded: ${result.stdout.slice(-300)}`);
  await delay(50);   // the B leg's BYE 200 is still on its way back
  t.equal(near.server.stats().core.dialogs, 0);
  t.equal(far.server.stats().core.dialogs, 0);
});
