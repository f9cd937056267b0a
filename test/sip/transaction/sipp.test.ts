/**
 * Interop with SIPp, a SIP implementation nobody here wrote: its built-in uac scenario calls a
 * tiny UAS built on our layers, and its uas scenario answers an INVITE from our client side.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createResponse, generateTag, getHeader, parseNameAddr } from '../../../src/sip/message/index.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/types.js';
import { responseDestination } from '../../../src/sip/transport/index.js';
import type { Destination } from '../../../src/sip/transport/types.js';
import type { TransactionLayer } from '../../../src/sip/transaction/types.js';
import { freePort } from '../../helpers/ports.js';
import { startStack, until } from './fixtures/stack.js';

const SIPP = '/usr/bin/sipp';

function runSipp(args: string[], cwd: string, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(SIPP, [...args, '-nostdin', '-timeout', '15', '-timeout_error'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d.toString(); });
    child.stderr.on('data', (d) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

/** The smallest useful UAS: rings, answers, retransmits its 2xx until ACK, accepts BYE. */
function tinyUas(layer: TransactionLayer, contact: string) {
  const seen: string[] = [];
  layer.onRequest((req, ctx) => {
    seen.push(req.method);
    const tx = ctx.serverTx;
    if (!tx) return;   // ACK for our 2xx: the layer already stopped retransmitting
    const toTag = generateTag();
    if (req.method === 'INVITE') {
      tx.respond(createResponse(req, 180, 'Ringing', { toTag }));
      const ok = createResponse(req, 200, 'OK', {
        toTag,
        headers: [{ name: 'Contact', value: `<${contact}>` }, { name: 'Content-Type', value: 'application/sdp' }],
        body: Buffer.from(SDP),
      });
      tx.respond(ok);
      layer.retransmit2xxUntilAck(ok, responseDestination(ok, ctx.info), { onAckTimeout: () => seen.push('ack-timeout') });
    } else {
      tx.respond(createResponse(req, 200, 'OK', { toTag }));
    }
  });
  return seen;
}

for (const [label, host, transport] of [['UDP/IPv4', '127.0.0.1', 'u1'], ['TCP/IPv4', '127.0.0.1', 't1'], ['UDP/IPv6', '::1', 'u1']] as const) {
  t.test(`sipp -sn uac (${label}) completes a call against a UAS on our layers`, async (t) => {
    const stack = await startStack(host);
    t.teardown(() => stack.stop());
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const seen = tinyUas(stack.layer, `sip:uas@${hostPart}:${stack.port}`);
    const { code, output } = await runSipp(
      ['-sn', 'uac', `${hostPart}:${stack.port}`, '-i', host, '-t', transport, '-m', '1', '-d', '50'], t.testdir());
    t.equal(code, 0, code === 0 ? 'sipp reports the call successful' : `sipp failed: ${output.slice(-1500)}`);
    t.same(seen, ['INVITE', 'ACK', 'BYE']);
    t.equal(stack.layer.stats().pending2xx, 0);
    await until(() => stack.layer.stats().serverTransactions === 0, 3000);
  });
}

for (const protocol of ['udp', 'tcp'] as const) t.test(`sipp -sn uas (${protocol}) answers an INVITE sent by our client transaction; we ACK and BYE`, async (t) => {
  const stack = await startStack();
  t.teardown(() => stack.stop());
  const sippPort = await freePort('udp+tcp');
  const sipp = runSipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(sippPort), '-t', protocol === 'udp' ? 'u1' : 't1', '-m', '1'], t.testdir());
  t.teardown(async () => { await sipp; });
  if (protocol === 'tcp') await new Promise((r) => setTimeout(r, 300));   // let SIPp listen before we connect
  const dest: Destination = { protocol, address: '127.0.0.1', port: sippPort };
  const target = `sip:service@127.0.0.1:${sippPort}`;
  const base = (method: string, seq: number, to: string): SipRequest => ({
    kind: 'request', method, uri: target, body: Buffer.alloc(0),
    headers: [
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: '<sip:pbx@127.0.0.1>;tag=ours' },
      { name: 'To', value: to },
      { name: 'Call-ID', value: 'sipp-uas-call' },
      { name: 'CSeq', value: `${seq} ${method}` },
      { name: 'Contact', value: `<sip:pbx@127.0.0.1:${stack.port}>` },
    ],
  });
  const invite = { ...base('INVITE', 1, `<${target}>`), body: Buffer.from(SDP) };
  invite.headers.push({ name: 'Content-Type', value: 'application/sdp' });

  // SIPp may need a moment to bind; Timer A retransmits the INVITE anyway.
  const final = await new Promise<SipResponse>((resolve, reject) => {
    const statuses: number[] = [];
    stack.layer.sendRequest(invite, dest, {
      onResponse: (res) => { statuses.push(res.status); if (res.status >= 200) resolve(res); },
      onTimeout: () => reject(new Error('INVITE timed out')),
      onTransportError: reject,
    });
  });
  t.equal(final.status, 200);
  const to = getHeader(final, 'To')!;
  t.ok(parseNameAddr(to)!.params.tag, 'SIPp tagged its To');
  await stack.layer.sendStateless(base('ACK', 1, to), dest);
  const bye = await new Promise<SipResponse>((resolve, reject) => {
    stack.layer.sendRequest(base('BYE', 2, to), dest, {
      onResponse: (res) => { if (res.status >= 200) resolve(res); },
      onTimeout: () => reject(new Error('BYE timed out')),
      onTransportError: reject,
    });
  });
  t.equal(bye.status, 200);
  const { code, output } = await sipp;
  t.equal(code, 0, code === 0 ? 'sipp reports the call successful' : `sipp failed: ${output.slice(-1500)}`);
});
