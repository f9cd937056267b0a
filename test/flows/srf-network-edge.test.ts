/**
 * Wire-level edge cases against drachtio-srf apps: CANCEL from the network, ACK timeout
 * (server BYE + unsolicited BYE to the app), 491 on overlapping re-INVITEs, and what
 * happens when the owning app disconnects (protocol notes §4.5, §4.4, §4.8).
 */
import t from 'tap';
import net from 'node:net';
import { SDP_A, SDP_B, createUdpPeer, delay, headerOf, once, startEmbeddedServer, udpRequest } from '../helpers/srf.js';
import type { SrfApp, SrfReq, SrfRes } from '../helpers/srf.js';

t.test('CANCEL from the network: 200 to CANCEL, 487 to INVITE, cancel event in the app', async (t) => {
  const sut = await startEmbeddedServer(t);
  let resolveCanceled: (v: boolean) => void = () => undefined;
  const canceled = new Promise<boolean>((resolve) => { resolveCanceled = resolve; });
  await sut.connectApp((srf: SrfApp) => srf.invite((req: SrfReq, res: SrfRes) => {
    req.on('cancel', () => resolveCanceled(true));
    res.send(180);
  }));
  const peer = await createUdpPeer(t, sut.sipPort);
  const uri = sut.uri('alice');
  const fields = { callId: 'cancel-net-1', cseq: 1, branch: 'z9hG4bKcancel1' };
  peer.send(udpRequest('INVITE', uri, { ...fields, body: SDP_A }));
  t.match(await peer.next(/^SIP\/2\.0 180 /), /To: .*;tag=/, '180 carries the local tag');
  peer.send(udpRequest('CANCEL', uri, fields));
  t.match(await peer.next(/^SIP\/2\.0 200 .*\r\n[\s\S]*CSeq: 1 CANCEL/), /Call-ID: cancel-net-1/);
  const final = await peer.next(/^SIP\/2\.0 487 /);
  t.equal(await canceled, true);
  peer.send(udpRequest('ACK', uri, { ...fields, to: headerOf(final, 'To') }));
  await delay(50);
  t.equal(sut.server.stats().core.dialogs, 0, 'early dialog removed');
});

t.test('ACK timeout: server sends BYE and the app sees an unsolicited BYE', async (t) => {
  const sut = await startEmbeddedServer(t, { sip: { timers: { t1Ms: 20, t2Ms: 160, t4Ms: 200 } } });
  let resolveDestroyed: (why: string) => void = () => undefined;
  const destroyed = new Promise<string>((resolve) => { resolveDestroyed = resolve; });
  await sut.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    const dialog = await srf.createUAS(req, res, { localSdp: SDP_B });
    dialog.on('destroy', (_msg: SrfReq, why: string) => resolveDestroyed(why));
  }));
  const peer = await createUdpPeer(t, sut.sipPort);
  peer.send(udpRequest('INVITE', sut.uri('alice'), { callId: 'ack-timeout-1', cseq: 1, branch: 'z9hG4bKackto', body: SDP_A }));
  await peer.next(/^SIP\/2\.0 200 /);
  await peer.next(/^SIP\/2\.0 200 /, 1000);   // retransmitted: we never ACK
  const bye = await peer.next(/^BYE /, 5000);
  t.match(headerOf(bye, 'Reason'), /ACK timeout/);
  t.equal(await destroyed, 'ACK timeout');
  t.equal(sut.server.stats().core.dialogs, 0);
});

t.test('overlapping re-INVITE from the network gets 491', async (t) => {
  const sut = await startEmbeddedServer(t);
  let uasDialog: SrfApp = null;
  await sut.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    uasDialog = await srf.createUAS(req, res, { localSdp: SDP_B });
    uasDialog.on('modify', () => undefined);   // hold the first re-INVITE unanswered
  }));
  const peer = await createUdpPeer(t, sut.sipPort);
  const uri = sut.uri('alice');
  peer.send(udpRequest('INVITE', uri, { callId: 'glare-1', cseq: 1, branch: 'z9hG4bKglare1', body: SDP_A }));
  const ok = await peer.next(/^SIP\/2\.0 200 /);
  const to = headerOf(ok, 'To');
  peer.send(udpRequest('ACK', uri, { callId: 'glare-1', cseq: 1, branch: 'z9hG4bKglare1a', to }));
  await delay(50);
  peer.send(udpRequest('INVITE', uri, { callId: 'glare-1', cseq: 2, branch: 'z9hG4bKglare2', to, body: SDP_A }));
  await delay(50);
  peer.send(udpRequest('INVITE', uri, { callId: 'glare-1', cseq: 3, branch: 'z9hG4bKglare3', to, body: SDP_A }));
  t.match(await peer.next(/^SIP\/2\.0 491 /), /CSeq: 3 INVITE/);
  t.ok(uasDialog, 'dialog exists');
});

t.test('app gone: its dialogs answer 481, new requests 503, BYE still ends the dialog', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp((srf: SrfApp) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    await srf.createUAS(req, res, { localSdp: SDP_B });
  }));
  const peer = await createUdpPeer(t, sut.sipPort);
  const uri = sut.uri('alice');
  peer.send(udpRequest('INVITE', uri, { callId: 'gone-1', cseq: 1, branch: 'z9hG4bKgone1', body: SDP_A }));
  const to = headerOf(await peer.next(/^SIP\/2\.0 200 /), 'To');
  peer.send(udpRequest('ACK', uri, { callId: 'gone-1', cseq: 1, branch: 'z9hG4bKgone1a', to }));
  await delay(50);
  app.disconnect();
  await delay(100);
  peer.send(udpRequest('INFO', uri, { callId: 'gone-1', cseq: 2, branch: 'z9hG4bKgone2', to }));
  t.match(await peer.next(/^SIP\/2\.0 \d+ [\s\S]*CSeq: 2 INFO/), /^SIP\/2\.0 481 /);
  peer.send(udpRequest('INVITE', uri, { callId: 'gone-2', cseq: 1, branch: 'z9hG4bKgone3', body: SDP_A }));
  t.match(await peer.next(/^SIP\/2\.0 [2-6]\d\d [\s\S]*Call-ID: gone-2/), /^SIP\/2\.0 503 /);
  t.equal(sut.server.stats().core.dialogs, 1, 'the dialog survives the app');
  peer.send(udpRequest('BYE', uri, { callId: 'gone-1', cseq: 3, branch: 'z9hG4bKgone4', to }));
  t.match(await peer.next(/^SIP\/2\.0 \d+ [\s\S]*CSeq: 3 BYE/), /^SIP\/2\.0 481 /);
  t.equal(sut.server.stats().core.dialogs, 0, 'BYE ended it anyway');
});

t.test('SUBSCRIBE dialog: 202, NOTIFYs, NOTIFY terminated ends it on both sides', async (t) => {
  const far = await startEmbeddedServer(t);
  let resolveNotifier: (d: SrfApp) => void = () => undefined;
  const notifierReady = new Promise<SrfApp>((resolve) => { resolveNotifier = resolve; });
  await far.connectApp((srf: SrfApp) => srf.subscribe(async (req: SrfReq, res: SrfRes) => {
    resolveNotifier(await srf.createUAS(req, res, { headers: { Expires: req.get('Expires') } }));
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const subscriber = await app.createUAC(far.uri('presence-of-bob'), {
    method: 'SUBSCRIBE', headers: { Event: 'presence', Expires: '60', Accept: 'application/pidf+xml' },
  });
  const notifier = await notifierReady;
  t.equal(subscriber.dialogType, 'SUBSCRIBE');
  const notified = once<[SrfReq, SrfRes]>(subscriber, 'notify');
  const sent = notifier.request({ method: 'NOTIFY', headers: { Event: 'presence', 'Subscription-State': 'active;expires=60', 'Content-Type': 'text/plain' }, body: 'open' });
  const [notify, res] = await notified;
  res.send(200);
  t.equal((await sent).status, 200);
  t.equal(notify.body, 'open');
  // srf's subscriber matches the final NOTIFY on To user@host, a quirk of its own; what
  // the server owes it is the NOTIFY itself, and both servers dropping the dialog.
  const finalNotify = once<[SrfReq, SrfRes]>(subscriber, 'notify');
  await notifier.destroy();
  const [terminated, finalRes] = await finalNotify;
  finalRes.send(200);
  t.match(terminated.get('Subscription-State'), /^terminated/);
  await delay(50);
  t.equal(near.server.stats().core.dialogs, 0);
  t.equal(far.server.stats().core.dialogs, 0);
});

t.test('a phone registered over TCP is reached over its registration connection', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp((srf: SrfApp) => srf.register((req: SrfReq, res: SrfRes) => {
    res.send(200, { headers: { Contact: `${req.get('Contact')};expires=300` } });
  }));
  const phone = net.connect({ host: '127.0.0.1', port: sut.sipPort });
  await new Promise<void>((resolve) => phone.once('connect', () => resolve()));
  t.teardown(() => phone.destroy());
  let inbox = '';
  phone.on('data', (chunk) => { inbox += chunk.toString('utf8'); });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 100 && !pattern.test(inbox); i++) await delay(20);
    const match = pattern.exec(inbox);
    if (!match) throw new Error(`phone never got ${pattern}`);
    return match[0];
  };
  // Port 9 on loopback is closed: only connection reuse can reach this phone.
  const contact = '<sip:alice@127.0.0.1:9;transport=tcp>';
  phone.write([
    `REGISTER sip:127.0.0.1:${sut.sipPort};transport=tcp SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKreg1`,
    'From: <sip:alice@127.0.0.1>;tag=r1', 'To: <sip:alice@127.0.0.1>', 'Call-ID: reg-tcp-1', 'CSeq: 1 REGISTER',
    `Contact: ${contact}`, 'Expires: 300', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  await waitFor(/SIP\/2\.0 200 OK[\s\S]*?\r\n\r\n/);
  const req = await app.request('sip:alice@127.0.0.1:9;transport=tcp', { method: 'OPTIONS' });
  const options = await waitFor(/OPTIONS sip:alice@127\.0\.0\.1:9;transport=tcp SIP\/2\.0[\s\S]*?\r\n\r\n/);
  const via = headerOf(options, 'Via')!;
  const callId = headerOf(options, 'Call-ID')!;
  const reply = once<[SrfRes]>(req, 'response');
  phone.write([
    'SIP/2.0 200 OK', `Via: ${via}`, `From: ${headerOf(options, 'From')}`, `To: ${headerOf(options, 'To')};tag=ph1`,
    `Call-ID: ${callId}`, `CSeq: ${headerOf(options, 'CSeq')}`, 'Content-Length: 0', '', '',
  ].join('\r\n'));
  const [res] = await reply;
  t.equal(res.status, 200, 'the phone answered over the reused connection');
});

t.test('UPDATE from the callee in an early dialog reaches createUAC, which answers with its SDP', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp();
  const peer = await createUdpPeer(t, sut.sipPort);
  const calling = app.createUAC(`sip:bob@127.0.0.1:${peer.port}`, { localSdp: SDP_A });
  const invite = await peer.next(/^INVITE /);
  const base = (status: string, extra: string[] = [], body = '') => [
    `SIP/2.0 ${status}`, `Via: ${headerOf(invite, 'Via')}`, `From: ${headerOf(invite, 'From')}`,
    `To: ${headerOf(invite, 'To')};tag=callee1`, `Call-ID: ${headerOf(invite, 'Call-ID')}`, `CSeq: ${headerOf(invite, 'CSeq')}`,
    'Contact: <sip:bob@127.0.0.1:{local}>', ...extra, ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`, '', body,
  ].join('\r\n');
  peer.send(base('183 Session Progress', [], SDP_B));
  await delay(50);
  const fromTag = /tag=([^;>\s]+)/.exec(headerOf(invite, 'From')!)![1];
  peer.send(udpRequest('UPDATE', headerOf(invite, 'Contact')!.replace(/[<>]/g, ''), {
    callId: headerOf(invite, 'Call-ID')!, cseq: 1, branch: 'z9hG4bKupd1', fromTag: 'callee1',
    to: `${headerOf(invite, 'From')!.replace(/;tag=.*/, '')};tag=${fromTag}`, body: SDP_B,
  }));
  const updateOk = await peer.next(/^SIP\/2\.0 \d+ [\s\S]*CSeq: 1 UPDATE/);
  t.match(updateOk, /^SIP\/2\.0 200 /);
  t.match(updateOk, /m=audio 40000/, 'answered with the caller SDP');
  peer.send(base('200 OK', [], SDP_B));
  const dialog = await calling;
  t.match((await peer.next(/^ACK /)), /CSeq: \d+ ACK/);
  t.equal(dialog.type, 'uac');
  const bye = dialog.destroy();
  const byeReq = await peer.next(/^BYE /);
  peer.send(['SIP/2.0 200 OK', `Via: ${headerOf(byeReq, 'Via')}`, `From: ${headerOf(byeReq, 'From')}`, `To: ${headerOf(byeReq, 'To')}`,
    `Call-ID: ${headerOf(byeReq, 'Call-ID')}`, `CSeq: ${headerOf(byeReq, 'CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n'));
  await bye;
  t.equal(byeReq.split('\r\n')[0], `BYE sip:bob@127.0.0.1:${peer.port} SIP/2.0`, 'BYE goes to the remote target');
});

t.test('CANCEL/200 race: the server ACKs the late 200, then BYEs it and tells the app', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp();
  const peer = await createUdpPeer(t, sut.sipPort);
  let sent: SrfReq = null;
  const calling = app.createUAC(`sip:bob@127.0.0.1:${peer.port}`, { localSdp: SDP_A }, {
    cbRequest: (_err: unknown, req: SrfReq) => { sent = req; },
  });
  const invite = await peer.next(/^INVITE /);
  const reply = (status: string, cseq: string, body = '') => [
    `SIP/2.0 ${status}`, `Via: ${headerOf(invite, 'Via')}`, `From: ${headerOf(invite, 'From')}`,
    `To: ${headerOf(invite, 'To')};tag=racer`, `Call-ID: ${headerOf(invite, 'Call-ID')}`, `CSeq: ${cseq}`,
    'Contact: <sip:bob@127.0.0.1:{local}>', ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`, '', body,
  ].join('\r\n');
  peer.send(reply('180 Ringing', headerOf(invite, 'CSeq')!));
  await delay(50);
  sent.cancel();
  const cancel = await peer.next(/^CANCEL /);
  // The callee answered before it saw the CANCEL: 200 to the INVITE wins, CANCEL gets 200 too.
  peer.send(reply('200 OK', headerOf(invite, 'CSeq')!, SDP_B));
  peer.send(reply('200 OK', headerOf(cancel, 'CSeq')!));
  const dialog = await calling;
  const destroyed = once<[SrfReq, string]>(dialog, 'destroy');
  t.match(await peer.next(/^ACK /), /^ACK /);
  const bye = await peer.next(/^BYE /);
  t.match(headerOf(bye, 'Reason'), /cancel race/);
  const [, why] = await destroyed;
  t.equal(why, 'ACK-BYE due to cancel race condition');
});

t.test('BYE while the app re-INVITE is pending: the server CANCELs the re-INVITE first', async (t) => {
  const sut = await startEmbeddedServer(t);
  const app = await sut.connectApp();
  const peer = await createUdpPeer(t, sut.sipPort);
  const calling = app.createUAC(`sip:bob@127.0.0.1:${peer.port}`, { localSdp: SDP_A });
  const invite = await peer.next(/^INVITE /);
  const answer = (req: string, status: string, body = '') => [
    `SIP/2.0 ${status}`, `Via: ${headerOf(req, 'Via')}`, `From: ${headerOf(req, 'From')}`,
    `To: ${headerOf(req, 'To')}${/tag=/.test(headerOf(req, 'To')!) ? '' : ';tag=callee2'}`,
    `Call-ID: ${headerOf(req, 'Call-ID')}`, `CSeq: ${headerOf(req, 'CSeq')}`, 'Contact: <sip:bob@127.0.0.1:{local}>',
    ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body)}`, '', body,
  ].join('\r\n');
  peer.send(answer(invite, '200 OK', SDP_B));
  const dialog = await calling;
  await peer.next(/^ACK /);
  void dialog.modify(SDP_A.replace('o=- 1 1', 'o=- 1 2')).catch(() => undefined);
  const reinvite = await peer.next(/^INVITE /);
  peer.send(answer(reinvite, '100 Trying'));
  await delay(50);
  void dialog.destroy().catch(() => undefined);
  const cancel = await peer.next(/^CANCEL /);
  t.equal(headerOf(cancel, 'CSeq'), headerOf(reinvite, 'CSeq')!.replace('INVITE', 'CANCEL'), 'CANCEL matches the re-INVITE');
  peer.send(answer(cancel, '200 OK'));
  peer.send(answer(reinvite, '487 Request Terminated'));
  const bye = await peer.next(/^BYE /);
  peer.send(answer(bye, '200 OK'));
  await delay(50);
  t.equal(sut.server.stats().core.dialogs, 0);
});
