/**
 * Conformance through the real drachtio-srf: network → app (protocol notes §3, §4.1–4.2).
 * The far end is SIPp's built-in `uac` scenario (INVITE, ACK, BYE).
 */
import t from 'tap';
import { SDP_A, runSipp, startEmbeddedServer, udpExchange } from '../helpers/srf.js';
import type { SrfApp, SrfReq, SrfRes } from '../helpers/srf.js';

function options(callId: string): string {
  return [
    'OPTIONS sip:nobody@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-' + callId,
    'From: <sip:probe@127.0.0.1>;tag=p1',
    'To: <sip:nobody@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

t.test('503 when no app routes the method', async (t) => {
  const sut = await startEmbeddedServer(t);
  await sut.connectApp((srf) => srf.invite(() => undefined));
  const reply = await udpExchange(sut.sipPort, options('no-route-1'));
  t.match(reply, /^SIP\/2\.0 503 /);
  t.match(reply, /\r\nTo: <sip:nobody@127\.0\.0\.1>;tag=\w+/i, 'final response carries a To tag');
});

t.test('OPTIONS reaches the app that routed it, answered with the app headers and a To tag', async (t) => {
  const sut = await startEmbeddedServer(t);
  const seen: Array<{ source: string; protocol: string; receivedOn: string }> = [];
  await sut.connectApp((srf) => srf.options((req: SrfReq, res: SrfRes) => {
    const r = req as unknown as { source: string; protocol: string; receivedOn: string };
    seen.push({ source: r.source, protocol: r.protocol, receivedOn: r.receivedOn });
    res.send(200, { headers: { 'X-Hello': 'World', Via: 'SIP/2.0/UDP 6.6.6.6;branch=z9hG4bKevil', 'Content-Length': '99' } });
  }));
  const reply = await udpExchange(sut.sipPort, options('route-1'));
  t.match(reply, /^SIP\/2\.0 200 /);
  t.match(reply, /\r\nX-Hello: World\r\n/);
  t.notMatch(reply, /6\.6\.6\.6/, 'app Via discarded');
  t.match(reply, /\r\nContent-Length: 0\r\n/, 'Content-Length computed by the server');
  t.match(reply, /\r\nTo: <sip:nobody@127\.0\.0\.1>;tag=\w+/i);
  t.same(seen, [{ source: 'network', protocol: 'udp', receivedOn: `127.0.0.1:${sut.sipPort}` }]);
});

t.test('round-robin: two apps routing options share new requests', async (t) => {
  const sut = await startEmbeddedServer(t);
  const hits = [0, 0];
  for (const i of [0, 1]) {
    await sut.connectApp((srf) => srf.options((_req: SrfReq, res: SrfRes) => { hits[i]! += 1; res.send(200); }));
  }
  for (let i = 0; i < 4; i++) t.match(await udpExchange(sut.sipPort, options(`rr-${i}`)), /^SIP\/2\.0 200/);
  t.same(hits, [2, 2]);
});

t.test('createUAS: 200 with SDP, ACK creates the dialog, BYE from the caller destroys it', async (t) => {
  const sut = await startEmbeddedServer(t);
  const events: string[] = [];
  let resolveDestroyed: () => void = () => undefined;
  const destroyed = new Promise<void>((resolve) => { resolveDestroyed = resolve; });
  await sut.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    events.push(`invite:${req.get('Call-ID') ? 'callid' : 'none'}`);
    const dialog = await srf.createUAS(req, res, { localSdp: SDP_A });
    events.push(`dialog:${dialog.type}`);
    t.match(dialog.id, /;from-tag=/, 'dialog id format');
    t.match(dialog.sip.localTag, /\w+/);
    dialog.on('destroy', () => { events.push('destroy'); resolveDestroyed(); });
  }));
  const sipp = await runSipp(`127.0.0.1:${sut.sipPort}`, ['-sn', 'uac', '-d', '200']);
  await destroyed;
  t.equal(sipp.code, 0, `sipp succeeded: ${sipp.stderr}${sipp.stdout.slice(-500)}`);
  t.same(events, ['invite:callid', 'dialog:uas', 'destroy']);
});

t.test('createUAS over TCP: Contact names the TCP listener, the BYE from SIPp ends the dialog', async (t) => {
  const sut = await startEmbeddedServer(t);
  const contacts: string[] = [];
  let resolveDestroyed: () => void = () => undefined;
  const destroyed = new Promise<void>((resolve) => { resolveDestroyed = resolve; });
  await sut.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    t.equal(req.protocol, 'tcp');
    const dialog = await srf.createUAS(req, res, { localSdp: SDP_A });
    contacts.push(dialog.local.contact);
    dialog.on('destroy', () => resolveDestroyed());
  }));
  const sipp = await runSipp(`127.0.0.1:${sut.sipPort}`, ['-sn', 'uac', '-t', 't1', '-d', '200']);
  await destroyed;
  t.equal(sipp.code, 0, `sipp over TCP succeeded: ${sipp.stdout.slice(-300)}`);
  t.match(contacts[0], /transport=tcp/);
});
