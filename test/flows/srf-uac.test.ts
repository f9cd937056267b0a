/**
 * Conformance through the real drachtio-srf: app → network (protocol notes §4.3, §4.5).
 * Far ends: a second embedded server with its own srf app, SIPp's built-in `uas`, and a
 * silent UDP socket for Timer B.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { SDP_A, SDP_B, deferred, delay, runSipp, startEmbeddedServer } from '../helpers/srf.js';
import type { SrfReq, SrfRes } from '../helpers/srf.js';

type Req = SrfReq;
type Res = SrfRes;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Checks an Authorization header the way a registrar would (RFC 2617 with qop=auth). */
function digestValid(header: string, method: string, password: string): boolean {
  const params: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) params[m[1]!] = m[2] ?? m[3] ?? '';
  const ha1 = md5(`${params['username']}:${params['realm']}:${password}`);
  const ha2 = md5(`${method}:${params['uri']}`);
  const expected = params['qop']
    ? md5(`${ha1}:${params['nonce']}:${params['nc']}:${params['cnonce']}:${params['qop']}:${ha2}`)
    : md5(`${ha1}:${params['nonce']}:${ha2}`);
  return expected === params['response'];
}

const CHALLENGE = 'Digest realm="hookflash.test", nonce="n0nce42", algorithm=MD5, qop="auth"';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

t.test('srf.request OPTIONS reaches the far app and its 200 comes back', async (t) => {
  const far = await startEmbeddedServer(t);
  await far.connectApp((srf) => srf.options((_req: SrfReq, res: SrfRes) => res.send(200, { headers: { 'X-Far': 'yes' } })));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const req = await app.request(far.uri('ping'), { method: 'OPTIONS', headers: { 'X-Near': '1' } }) as unknown as Req;
  t.equal(req.source, 'application');
  t.match(req.get('Via'), /^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK/);
  t.match(req.get('From'), /tag=/, 'server added a From tag');
  const [res] = await new Promise<[Res]>((resolve) => req.on('response', (r: Res) => resolve([r])));
  t.equal(res.status, 200);
  t.equal(res.get('X-Far'), 'yes');
});

t.test('REGISTER with digest: 401, srf retries with credentials, same Call-ID, CSeq+1', async (t) => {
  const far = await startEmbeddedServer(t);
  const seen: Array<{ callId: string; cseq: number; auth: string | undefined }> = [];
  await far.connectApp((srf) => srf.register((req: SrfReq, res: SrfRes) => {
    const auth = req.get('Authorization') as string | undefined;
    seen.push({ callId: req.get('Call-ID'), cseq: Number.parseInt(req.get('CSeq'), 10), auth });
    if (!auth) return res.send(401, { headers: { 'WWW-Authenticate': CHALLENGE } });
    const ok = digestValid(auth, 'REGISTER', 's3cret');
    res.send(ok ? 200 : 403, ok ? { headers: { Contact: req.get('Contact') + ';expires=60', Expires: '60' } } : {});
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const req = await app.request(far.uri('', '').replace('sip:@', 'sip:'), {
    method: 'REGISTER',
    headers: { To: '<sip:alice@hookflash.test>', From: '<sip:alice@hookflash.test>', Contact: '<sip:alice@localhost>', Expires: '60' },
    auth: { username: 'alice', password: 's3cret' },
  }) as unknown as Req;
  const res = await new Promise<Res>((resolve) => req.on('response', (r: Res) => resolve(r)));
  t.equal(res.status, 200, 'registered after the challenge');
  t.match(res.get('Contact'), /expires=60/);
  t.equal(seen.length, 2);
  t.equal(seen[0]!.callId, seen[1]!.callId, 'same Call-ID on the retry');
  t.equal(seen[1]!.cseq, seen[0]!.cseq + 1, 'CSeq bumped');
  t.notMatch(seen[1]!.auth, /localhost/);
});

t.test('createUAC to SIPp uas: 200 + ACK, then dialog.destroy sends BYE', async (t) => {
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const port = await freeUdpPort();
  const sipp = runSipp(`127.0.0.1:${near.sipPort}`, ['-sn', 'uas', '-p', String(port)]);
  await delay(300);   // let SIPp bind
  const dialog = await app.createUAC(`sip:service@127.0.0.1:${port}`, { localSdp: SDP_A });
  t.equal(dialog.type, 'uac');
  t.match(dialog.id, /;from-tag=/);
  t.match(dialog.remote.sdp, /v=0/);
  await dialog.destroy();
  const result = await sipp;
  t.equal(result.code, 0, `SIPp uas completed the call: ${result.stdout.slice(-300)}`);
});

t.test('createUAC over TCP to SIPp uas', async (t) => {
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const port = await freeUdpPort();
  const sipp = runSipp(`127.0.0.1:${near.sipPort}`, ['-sn', 'uas', '-t', 't1', '-p', String(port)]);
  await delay(300);
  const dialog = await app.createUAC(`sip:service@127.0.0.1:${port};transport=tcp`, { localSdp: SDP_A });
  t.match(dialog.sip.localTag ?? dialog.id, /\w/);
  t.match(dialog.local.contact, /transport=tcp/, 'Contact names our TCP listener');
  await dialog.destroy();
  const result = await sipp;
  t.equal(result.code, 0, `SIPp uas over TCP completed: ${result.stdout.slice(-300)}`);
});

t.test('createUAC with digest on INVITE, then BYE from the callee', async (t) => {
  const far = await startEmbeddedServer(t);
  let invites = 0;
  const farDone = deferred<void>();
  const farDestroyed = farDone.promise;
  await far.connectApp((srf) => srf.invite(async (req: SrfReq, res: SrfRes) => {
    invites += 1;
    const auth = req.get('Proxy-Authorization') as string | undefined;
    if (!auth) return res.send(407, { headers: { 'Proxy-Authenticate': CHALLENGE } });
    if (!digestValid(auth, 'INVITE', 'pw')) return res.send(403);
    const uas = await srf.createUAS(req, res, { localSdp: SDP_B });
    await delay(50);
    await uas.destroy();
    farDone.resolve();
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const uac = await app.createUAC(far.uri('bob'), { localSdp: SDP_A, auth: { username: 'bob', password: 'pw' } });
  t.match(uac.remote.sdp, /40002/);
  const [, reason] = await new Promise<[unknown, string]>((resolve) => uac.on('destroy', (msg: unknown, why: string) => resolve([msg, why])));
  await farDestroyed;
  t.equal(invites, 2, 'challenged once, then accepted');
  t.equal(reason, 'normal release', 'a BYE from the network, not one the server made up');
});

t.test('CANCEL from the app: 487 to the caller app, cancel event on the callee app', async (t) => {
  const far = await startEmbeddedServer(t);
  const cancelSeen = deferred<string>();
  const canceled = cancelSeen.promise;
  await far.connectApp((srf) => srf.invite((req: SrfReq, res: SrfRes) => {
    req.on('cancel', () => cancelSeen.resolve('cancel event'));
    res.send(180);
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  let sent: Req | null = null;
  const error = await app.createUAC(far.uri('slow'), { localSdp: SDP_A }, {
    cbRequest: (_err: unknown, req: Req) => { sent = req; },
    cbProvisional: (prov: Res) => { if (prov.status === 180) sent!.cancel(); },
  }).then(() => null, (err: { status?: number }) => err);
  t.equal(error?.status, 487, 'the INVITE ended with 487');
  t.equal(await canceled, 'cancel event');
  await delay(100);
  t.equal(near.server.stats().core.dialogs, 0, 'no dialog left on the caller side');
  t.equal(far.server.stats().core.dialogs, 0, 'no dialog left on the callee side');
});

t.test('reliable provisional: 183 with 100rel is PRACKed through both servers', async (t) => {
  const far = await startEmbeddedServer(t);
  const prackSeen = deferred<string>();
  const pracked = prackSeen.promise;
  await far.connectApp((srf) => srf.invite((req: SrfReq, res: SrfRes) => {
    res.send(183, { headers: { Require: '100rel' }, body: SDP_B }, () => undefined, (prack: Req) => {
      prackSeen.resolve(prack.method);
      void srf.createUAS(req, res, { localSdp: SDP_B });
    });
  }));
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const provisional: number[] = [];
  const uac = await app.createUAC(far.uri('prack'), { localSdp: SDP_A, headers: { Supported: '100rel' } }, {
    cbProvisional: (res: Res) => { if (res.status > 100) provisional.push(res.status); },
  });
  t.equal(await pracked, 'PRACK');
  t.same(provisional, [183]);
  await uac.destroy();
});

t.test('Timer B: an INVITE nobody answers ends with 408 for the app', async (t) => {
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.teardown(() => silent.close());
  const near = await startEmbeddedServer(t, { sip: { timers: { t1Ms: 20, t2Ms: 160, t4Ms: 200 } } });
  const app = await near.connectApp();
  const started = Date.now();
  const error = await app.createUAC(`sip:void@127.0.0.1:${silent.address().port}`, { localSdp: SDP_A })
    .then(() => null, (err: { status?: number }) => err);
  t.equal(error?.status, 408);
  t.ok(Date.now() - started >= 64 * 20 - 50, 'after 64·T1');
});

t.test('opts.proxy pins the next hop; the Request-URI is left as the app wrote it', async (t) => {
  const near = await startEmbeddedServer(t);
  const app = await near.connectApp();
  const hop = createSocket('udp4');
  await new Promise<void>((resolve) => hop.bind(0, '127.0.0.1', resolve));
  t.teardown(() => hop.close());
  const got = new Promise<string>((resolve) => hop.once('message', (m) => resolve(m.toString('utf8'))));
  // example.invalid never resolves (RFC 2606), so only the proxy can have carried this.
  await app.request('sip:bob@example.invalid', { method: 'MESSAGE', proxy: `sip:127.0.0.1:${hop.address().port}`,
    headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
  const text = await got;
  t.match(text, /^MESSAGE sip:bob@example\.invalid SIP\/2\.0\r\n/);
  t.notMatch(text, /\r\nRoute:/i, 'no Route header added for the proxy');
  t.match(text, /\r\n\r\nhello$/);
});
