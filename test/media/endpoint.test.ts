import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:dgram';
import { analyseWav, makeToneWav } from '../helpers/audio.js';
import { bindPeer, connectedPair, sleep, testEngine, waitFor } from './fixtures/endpoints.js';
import { buildRtp, parseRtp, type RtpPacket } from '../../src/media/rtp-packet.js';
import { encodeG711 } from '../../src/media/g711.js';
import { sineWave } from '../../src/media/tones.js';
import { encodeTelephoneEvent, decodeTelephoneEvent } from '../../src/media/dtmf.js';
import { createAnswer, createOffer } from '../../src/media/sdp.js';

const engine = testEngine({ tickMs: 10 });
t.teardown(() => engine.close());

for (const [codec, ptimeMs, hz] of [['PCMU', 20, 440], ['PCMA', 30, 1000]] as const) {
  t.test(`audio flows end to end: ${codec}, ptime ${ptimeMs}, ${hz} Hz tone`, async (t) => {
    const dir = t.testdir();
    const source = join(dir, 'tone.wav');
    const recorded = join(dir, 'recorded.wav');
    writeFileSync(source, makeToneWav({ hz, durationMs: 600 }));
    const [player, listener] = await connectedPair(engine, { codec, ptimeMs });
    t.equal(player.negotiated?.codec, codec);
    t.equal(listener.negotiated?.ptimeMs, ptimeMs);
    const recording = listener.record({ file: recorded, maxDurationMs: 5000 });
    const playback = player.play(source);
    t.same(await playback.done, { reason: 'finished' });
    await sleep(120);
    await listener.close();
    const result = await recording;
    t.equal(result.endedBy, 'hangup');
    const analysis = analyseWav(recorded);
    t.equal(analysis.sampleRate, 8000);
    t.equal(analysis.channels, 1);
    t.equal(analysis.dominantHz, hz, 'the tone arrives at its frequency');
    t.ok(analysis.activeMs >= 560 && analysis.activeMs <= 640, `tone lasts ~600 ms (got ${analysis.activeMs})`);
    t.ok(analysis.rms > 0.1, `audible (rms ${analysis.rms.toFixed(3)})`);
    t.equal(result.durationMs, analysis.durationMs);
    t.equal(player.stats().packetsSent > 0 && listener.stats().malformed, 0);
    await player.close();
  });
}

t.test('RFC 4733 digits both ways, plus SIP INFO injection', async (t) => {
  const [a, b] = await connectedPair(engine, { ptimeMs: 20 });
  const atA: string[] = [];
  const atB: string[] = [];
  a.on('dtmf', (d, source) => atA.push(`${d}/${source}`));
  b.on('dtmf', (d, source) => atB.push(`${d}/${source}`));
  t.equal(a.sendDtmf('12#'), true);
  t.equal(b.sendDtmf('*9'), true);
  await waitFor(() => atB.length === 3 && atA.length === 2, 4000, 'digits');
  t.same(atB, ['1/rtp', '2/rtp', '#/rtp']);
  t.same(atA, ['*/rtp', '9/rtp']);
  b.injectDtmf('5');
  t.same(atB.at(-1), '5/info');
  t.throws(() => a.sendDtmf('1x'), /'x' in '1x' is not a DTMF digit/);
  await Promise.all([a.close(), b.close()]);
  t.equal(a.sendDtmf('1'), false, 'a closed endpoint sends nothing');
});

/** A raw socket standing in for a phone: records what it receives. */
function phone(socket: Socket): RtpPacket[] {
  const got: RtpPacket[] = [];
  socket.on('message', (msg) => { const p = parseRtp(msg); if (p.ok) got.push(p.packet); });
  return got;
}

t.test('symmetric RTP: after the first packet we send where packets really come from', async (t) => {
  const endpoint = await engine.openEndpoint();
  const advertised = await bindPeer(); // what the SDP says (a NAT'd phone's private port)
  const actual = await bindPeer(); // where its packets really come from
  t.teardown(() => { advertised.close(); actual.close(); });
  const toAdvertised = phone(advertised);
  const toActual = phone(actual);
  const offer = createOffer({ address: '127.0.0.1', port: advertised.address().port, sessionId: 1 });
  const answer = createAnswer(offer, { ...endpoint.local, sessionId: 2 });
  if (!answer.ok) throw new Error(answer.reason);
  endpoint.setRemote(answer.negotiated);
  await waitFor(() => toAdvertised.length >= 2, 2000, 'packets to advertised address');
  t.same(endpoint.sendingTo, { address: '127.0.0.1', port: advertised.address().port });
  const pcm = sineWave(400, 20);
  actual.send(buildRtp({ payloadType: 0, marker: true, sequenceNumber: 1, timestamp: 0, ssrc: 99, payload: encodeG711('PCMU', pcm) }), endpoint.local.port, '127.0.0.1');
  await waitFor(() => toActual.length >= 3, 2000, 'packets to the latched source');
  t.same(endpoint.sendingTo, { address: '127.0.0.1', port: actual.address().port });
  const before = toAdvertised.length;
  await sleep(100);
  t.ok(toAdvertised.length <= before + 1, 'nothing more goes to the advertised address');
  const digits: string[] = [];
  endpoint.on('dtmf', (d) => digits.push(d));
  advertised.send(buildRtp({ payloadType: 101, marker: true, sequenceNumber: 9, timestamp: 9, ssrc: 7, payload: encodeTelephoneEvent({ event: 1, end: true, volume: 10, duration: 800 }) }), endpoint.local.port, '127.0.0.1');
  await waitFor(() => endpoint.stats().strayPackets === 1, 2000, 'stray packet counted');
  t.same(digits, [], 'once latched, packets from elsewhere are dropped (no injected digits)');
  const seqs = toActual.map((p) => p.sequenceNumber);
  t.ok(seqs.every((s, i) => i === 0 || s === ((seqs[i - 1]! + 1) & 0xffff)), 'sequence numbers are consecutive');
  t.ok(toActual.every((p) => p.ssrc === toAdvertised[0]!.ssrc && p.payloadType === 0), 'one SSRC, negotiated payload type');
  await endpoint.close();
});

t.test('malformed and foreign packets are counted and dropped without harm', async (t) => {
  const [a, b] = await connectedPair(engine);
  const peer = await bindPeer();
  t.teardown(() => peer.close());
  await waitFor(() => b.stats().packetsReceived >= 2, 2000, 'b hears a first');
  const junk = [Buffer.from('hello'), Buffer.alloc(12), Buffer.from([0x80, 0xc9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])];
  for (const datagram of junk) peer.send(datagram, b.local.port, '127.0.0.1');
  peer.send(buildRtp({ payloadType: 18, marker: false, sequenceNumber: 1, timestamp: 1, ssrc: 5, payload: new Uint8Array(20) }), b.local.port, '127.0.0.1');
  peer.send(buildRtp({ payloadType: 101, marker: true, sequenceNumber: 2, timestamp: 2, ssrc: 5, payload: new Uint8Array(2) }), b.local.port, '127.0.0.1');
  await waitFor(() => b.stats().malformed >= 4 && b.stats().unknownPayloadType >= 1 && b.stats().strayPackets >= 1, 2000, 'junk counted');
  // b already latched onto a, so the well-formed telephone-event from the stranger is stray.
  t.same({ malformed: b.stats().malformed, unknown: b.stats().unknownPayloadType, stray: b.stats().strayPackets }, { malformed: 4, unknown: 1, stray: 1 });
  const digits: string[] = [];
  b.on('dtmf', (d) => digits.push(d));
  a.sendDtmf('7');
  await waitFor(() => digits.length === 1, 2000, 'digit after junk');
  t.same(digits, ['7'], 'the endpoint still works');
  await Promise.all([a.close(), b.close()]);
});

t.test('hold: no RTP is sent while our direction excludes sending; rtp-timeout when the phone goes quiet', async (t) => {
  const quiet = testEngine({ rtpTimeoutMs: 150 });
  t.teardown(() => quiet.close());
  const endpoint = await quiet.openEndpoint();
  const peer = await bindPeer();
  t.teardown(() => peer.close());
  const got = phone(peer);
  const base = { payloadType: 0, codec: 'PCMU' as const, ptimeMs: 20, dtmfPayloadType: 101, remote: { address: '127.0.0.1', port: peer.address().port } };
  endpoint.setRemote({ ...base, direction: 'recvonly' });
  let timeouts = 0;
  endpoint.on('rtp-timeout', () => timeouts++);
  await sleep(300);
  t.equal(got.length, 0, 'on hold we send nothing');
  t.equal(timeouts, 1, 'reported once');
  endpoint.setRemote({ ...base, direction: 'sendrecv' });
  await waitFor(() => got.length >= 3, 2000, 'packets after resume');
  const ev = decodeTelephoneEvent(encodeTelephoneEvent({ event: 1, end: false, volume: 10, duration: 160 }));
  t.equal(ev?.event, 1);
  endpoint.setRemote({ ...base, dtmfPayloadType: null, direction: 'sendrecv' });
  t.equal(endpoint.sendDtmf('1'), false, 'no telephone-event negotiated: the caller must use SIP INFO');
  await endpoint.close();
});
