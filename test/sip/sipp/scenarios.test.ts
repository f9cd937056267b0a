/**
 * Proves every SIPp scenario in this directory works, before server tests rely on them:
 * each UAC runs against its matching UAS (or a raw responder written here), on 127.0.0.1.
 */
import t, { type Test } from 'tap';
import { createSocket } from 'node:dgram';
import { startSipp, runSipp, describeSipp, type SippResult } from '../../helpers/sip/sipp.js';
import { startRegistrar } from '../../helpers/sip/registrar.js';
import {
  parseMessage, getHeader, createResponse, serializeMessage, parseNameAddr, type SipMessage,
} from '../../../src/sip/message/index.js';

async function pair(t: Test, uasScenario: string, uacScenario: string, uacTimeoutMs = 15_000, uasTimeoutMs = 15_000): Promise<{ uac: SippResult; uas: SippResult }> {
  const uas = await startSipp({ scenario: uasScenario, timeoutMs: uasTimeoutMs, teardown: (fn) => t.teardown(fn) });
  const uac = await runSipp({ scenario: uacScenario, remote: `127.0.0.1:${uas.localPort}`, timeoutMs: uacTimeoutMs });
  return { uac, uas: await uas.done };
}

function bothSucceeded(t: Test, r: { uac: SippResult; uas: SippResult }): void {
  t.equal(r.uac.exitCode, 0, `UAC: ${describeSipp(r.uac)}`);
  t.equal(r.uac.successful, 1, 'UAC counted one successful call');
  t.equal(r.uas.exitCode, 0, `UAS: ${describeSipp(r.uas)}`);
  t.equal(r.uas.successful, 1, 'UAS counted one successful call');
}

t.test('basic call: uac-basic against uas-basic', async (t) => {
  const r = await pair(t, 'uas-basic.xml', 'uac-basic.xml');
  bothSucceeded(t, r);
  t.equal(r.uas.counts['5_BYE_Recv'], 1, 'UAS received the BYE');
});

t.test('cancel after 180: uac-cancel against uas-cancelled', async (t) => {
  const r = await pair(t, 'uas-cancelled.xml', 'uac-cancel.xml');
  bothSucceeded(t, r);
  // the CANCEL must be in the INVITE's transaction: same branch
  const branches = [...r.uac.messages.matchAll(/^(INVITE|CANCEL|ACK) [\s\S]*?^Via: .*branch=(\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  const inviteBranch = branches.find((b) => b.startsWith('INVITE'))!.split(' ')[1];
  t.ok(branches.some((b) => b === `CANCEL ${inviteBranch}`), `CANCEL reuses the INVITE branch (${branches.join(', ')})`);
  t.match(r.uac.messages, /SIP\/2\.0 487[\s\S]*?CSeq:\s+1 INVITE/, '487 answers the INVITE');
});

t.test('reliable 180: uac-100rel against uas-100rel', async (t) => {
  const r = await pair(t, 'uas-100rel.xml', 'uac-100rel.xml');
  bothSucceeded(t, r);
  t.match(r.uac.messages, /PRACK [\s\S]*?RAck: 1 1 INVITE/, 'PRACK carries RAck from RSeq');
});

t.test('busy: uac-expect-busy against uas-busy', async (t) => {
  bothSucceeded(t, await pair(t, 'uas-busy.xml', 'uac-expect-busy.xml'));
});

t.test('options ping: uac-options against uas-options', async (t) => {
  bothSucceeded(t, await pair(t, 'uas-options.xml', 'uac-options.xml'));
});

t.test('lost ACK: uac-lost-ack sees the 200 retransmitted by uas-200-retransmit', async (t) => {
  const r = await pair(t, 'uas-200-retransmit.xml', 'uac-lost-ack.xml', 15_000, 8_000);
  t.equal(r.uac.exitCode, 0, describeSipp(r.uac));
  t.ok((r.uac.counts['3_200_Retrans'] ?? 0) >= 2, `200 retransmissions seen by the UAC: ${r.uac.counts['3_200_Retrans']}`);
  t.not(r.uas.exitCode, 0, 'the UAS never got its ACK, so its call fails');
  t.ok((r.uas.counts['2_200_Retrans'] ?? 0) >= 3, 'UAS kept retransmitting');
});

/** Minimal raw UDP UAC: proves uas-200-retransmit completes once an ACK arrives late. */
t.test('uas-200-retransmit retransmits until a late ACK, then takes BYE', async (t) => {
  const uas = await startSipp({ scenario: 'uas-200-retransmit.xml', timeoutMs: 15_000, teardown: (fn) => t.teardown(fn) });
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  const received: SipMessage[] = [];
  let wake: (() => void) | null = null;
  socket.on('message', (data) => {
    const parsed = parseMessage(data);
    if (parsed.ok) received.push(parsed.message);
    wake?.();
  });
  const waitUntil = async (predicate: () => boolean, ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) {
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
    return predicate();
  };
  const send = (text: string): void => { socket.send(Buffer.from(text.replace(/\n/g, '\r\n')), uas.localPort, '127.0.0.1'); };
  const common = `From: <sip:raw@127.0.0.1:${port}>;tag=raw1\nCall-ID: raw-late-ack\nMax-Forwards: 70\n`;
  send(`INVITE sip:service@127.0.0.1:${uas.localPort} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKrawinv\n${common}To: <sip:service@127.0.0.1>\nCSeq: 1 INVITE\nContact: <sip:raw@127.0.0.1:${port}>\nContent-Length: 0\n\n`);
  const okCount = () => received.filter((m) => m.kind === 'response' && m.status === 200).length;
  t.ok(await waitUntil(() => okCount() >= 3, 5000), `200 arrived three times (${okCount()})`);
  const to = getHeader(received.find((m) => m.kind === 'response' && m.status === 200)!, 'To')!;
  send(`ACK sip:service@127.0.0.1:${uas.localPort} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKrawack\n${common}To: ${to}\nCSeq: 1 ACK\nContent-Length: 0\n\n`);
  send(`BYE sip:service@127.0.0.1:${uas.localPort} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKrawbye\n${common}To: ${to}\nCSeq: 2 BYE\nContent-Length: 0\n\n`);
  t.ok(await waitUntil(() => received.some((m) => m.kind === 'response' && getHeader(m, 'CSeq') === '2 BYE'), 5000), 'BYE answered');
  const result = await uas.done;
  t.equal(result.exitCode, 0, describeSipp(result));
  t.ok((result.counts['2_200_Retrans'] ?? 0) >= 2, 'UAS retransmitted its 200');
});

t.test('uac-lost-ack-expect-bye: no ACK, then answers the BYE the callee sends', async (t) => {
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  const seen: string[] = [];
  socket.on('message', (data, rinfo) => {
    const parsed = parseMessage(data);
    if (!parsed.ok) return;
    const msg = parsed.message;
    seen.push(msg.kind === 'request' ? msg.method : `${msg.status} ${getHeader(msg, 'CSeq')}`);
    if (msg.kind !== 'request' || msg.method !== 'INVITE') return;
    // answer, "retransmit" twice, then give up on the ACK with a BYE (shortened timers)
    const reply = createResponse(msg, 200, undefined, { toTag: 'uas1', headers: [{ name: 'Contact', value: `<sip:uas@127.0.0.1:${port}>` }] });
    const wire = serializeMessage(reply);
    for (const delay of [0, 300, 600]) setTimeout(() => socket.send(wire, rinfo.port, rinfo.address), delay);
    const to = getHeader(reply, 'To')!;
    const from = getHeader(msg, 'From')!;
    const bye = [
      `BYE ${parseNameAddr(getHeader(msg, 'Contact')!)!.uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKbye1`,
      `From: ${to}`, `To: ${from}`, `Call-ID: ${getHeader(msg, 'Call-ID')!}`, 'CSeq: 1 BYE',
      'Reason: SIP ;cause=200 ;text="ACK timeout"', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n');
    setTimeout(() => socket.send(Buffer.from(bye), rinfo.port, rinfo.address), 1000);
  });
  const r = await runSipp({ scenario: 'uac-lost-ack-expect-bye.xml', remote: `127.0.0.1:${port}`, timeoutMs: 10_000 });
  t.equal(r.exitCode, 0, describeSipp(r));
  t.notOk(seen.includes('ACK'), 'no ACK was sent');
  t.ok(seen.includes('200 1 BYE'), `the BYE was answered (${seen.join(', ')})`);
  t.ok((r.counts['3_200_Retrans'] ?? 0) >= 1, '200 retransmissions were absorbed');
});

t.test('TCP: uac-basic against uas-basic over TCP', async (t) => {
  const uas = await startSipp({ scenario: 'uas-basic.xml', transport: 'tcp', timeoutMs: 15_000, teardown: (fn) => t.teardown(fn) });
  const uac = await runSipp({ scenario: 'uac-basic.xml', transport: 'tcp', remote: `127.0.0.1:${uas.localPort}`, timeoutMs: 15_000 });
  bothSucceeded(t, { uac, uas: await uas.done });
  t.match(uac.messages, /Via: SIP\/2\.0\/TCP/, 'messages went over TCP');
});

t.test('REGISTER with digest auth against a raw registrar', async (t) => {
  const registrar = await startRegistrar({ alice: 'wonderland' });
  t.teardown(() => registrar.close());
  const ok = await runSipp({ scenario: 'uac-register-auth.xml', remote: `127.0.0.1:${registrar.port}`, service: 'alice', authUser: 'alice', authPassword: 'wonderland', timeoutMs: 10_000 });
  t.equal(ok.exitCode, 0, describeSipp(ok));
  t.equal(ok.successful, 1);
  t.match(registrar.events.map((e) => e.kind), ['challenged', 'registered']);
  t.match(registrar.events[1]!.detail, /qop=auth/, 'SIPp answered the qop=auth challenge');
  const bad = await runSipp({ scenario: 'uac-register-auth.xml', remote: `127.0.0.1:${registrar.port}`, service: 'alice', authUser: 'alice', authPassword: 'wrong', timeoutMs: 10_000 });
  t.not(bad.exitCode, 0, 'a wrong password fails the scenario');
  t.ok(registrar.events.some((e) => e.kind === 'rejected' && e.detail === 'wrong response'), 'registrar saw the wrong response');
});

t.test('the harness is bounded: a UAC with nobody listening stops at its time limit', async (t) => {
  const started = Date.now();
  const r = await runSipp({ scenario: 'uac-options.xml', remote: '127.0.0.1:9', timeoutMs: 3000 });
  t.not(r.exitCode, 0, describeSipp(r));
  t.notOk(r.timedOut, 'SIPp stopped itself, no SIGKILL needed');
  t.ok(Date.now() - started < 9000, 'returned promptly');
});
