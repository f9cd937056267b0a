import t from 'tap';
import { buildRtp, parseRtp, sequenceDelta, timestampDelta } from '../../src/media/rtp-packet.js';
import alawmulaw from 'alawmulaw';
import { decodeG711, encodeG711 } from '../../src/media/g711.js';
import { createDtmfReceiver, createDtmfSender, decodeTelephoneEvent } from '../../src/media/dtmf.js';
import { createReorderBuffer } from '../../src/media/reorder-buffer.js';
import { sineWave } from '../../src/media/tones.js';

t.test('RTP header round-trips marker, wrap-around values and payload', async (t) => {
  const payload = new Uint8Array([1, 2, 3]);
  const datagram = buildRtp({ payloadType: 8, marker: true, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0xdeadbeef, payload });
  const parsed = parseRtp(datagram);
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  t.same({ ...parsed.packet, payload: [...parsed.packet.payload] }, { payloadType: 8, marker: true, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0xdeadbeef, payload: [1, 2, 3] });
  t.equal(sequenceDelta(0xffff, 0), 1, 'sequence wraps forward');
  t.equal(sequenceDelta(0, 0xffff), -1);
  t.equal(timestampDelta(0xffffff00, 0x10), 0x110, 'timestamp wraps forward');
});

t.test('RTP parser steps over CSRCs, extension and padding', async (t) => {
  const datagram = Buffer.from([0xb1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 9, 9, 9, 0xbe, 0xde, 0, 1, 7, 7, 7, 7, 0xaa, 0xbb, 0, 2]);
  const parsed = parseRtp(datagram);
  t.ok(parsed.ok);
  if (parsed.ok) t.same([...parsed.packet.payload], [0xaa, 0xbb]);
});

t.test('malformed RTP is reported with a reason, never thrown', async (t) => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /shorter than the 12-byte RTP header/],
    [Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /version 1, expected 2/],
    [Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /CSRC count 15 runs past/],
    [Buffer.from([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), /extension of 9 words/],
    [Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20]), /padding of 32 bytes/],
    [Buffer.from([0x80, 0xc8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /RTCP packet type 200/],
  ];
  for (const [datagram, reason] of cases) {
    const parsed = parseRtp(datagram);
    t.notOk(parsed.ok);
    if (!parsed.ok) t.match(parsed.reason, reason);
  }
});

t.test('G.711 encode/decode keeps a tone recognisable in both laws', async (t) => {
  const tone = sineWave(1000, 20);
  for (const codec of ['PCMU', 'PCMA'] as const) {
    const encoded = encodeG711(codec, tone);
    t.equal(encoded.length, 160);
    const decoded = decodeG711(codec, encoded);
    let maxError = 0;
    for (let i = 0; i < tone.length; i++) maxError = Math.max(maxError, Math.abs(decoded[i]! - tone[i]!));
    t.ok(maxError < 400, `${codec} max error ${maxError} stays within G.711 quantisation`);
    t.same([...encodeG711(codec, decoded)], [...encoded], `${codec} re-encoding decoded audio is lossless (bridges transcode through PCM)`);
    const law = codec === 'PCMU' ? alawmulaw.mulaw : alawmulaw.alaw;
    const extremes = Int16Array.from([-32768, -32767, -1, 0, 1, 32767, 12345, -12345]);
    t.same([...encodeG711(codec, extremes)], [...law.encode(extremes)], `${codec} lookup table agrees with alawmulaw at the extremes`);
  }
});

t.test('RFC 4733 sender: marker first, one timestamp, growing durations, end bit on the last 3', async (t) => {
  const sender = createDtmfSender({ toneMs: 100, gapMs: 40 });
  sender.enqueue('5#');
  const frames = [];
  let ts = 1000;
  for (let i = 0; i < 30; i++, ts += 160) frames.push({ ts, frame: sender.nextFrame(ts, 160) });
  const events = frames.filter((f) => f.frame).map((f) => ({ ...f.frame!, ev: decodeTelephoneEvent(f.frame!.payload)!, sentAt: f.ts }));
  const five = events.filter((e) => e.ev.event === 5);
  const pound = events.filter((e) => e.ev.event === 11);
  t.equal(five.length, 7, '4 packets of growing duration + 3 end packets');
  t.same(five.map((e) => e.marker), [true, false, false, false, false, false, false]);
  t.ok(five.every((e) => e.timestamp === 1000), 'every packet carries the start timestamp');
  t.same(five.map((e) => e.ev.duration), [160, 320, 480, 640, 800, 800, 800], 'durations grow, then repeat on the end packets');
  t.same(five.map((e) => e.ev.end), [false, false, false, false, true, true, true], 'end bit on exactly the last three');
  t.equal(pound.length, 7);
  t.ok(pound[0]!.marker && pound[0]!.timestamp > 1000, '# starts a new event with a new timestamp');
  t.ok(pound[0]!.sentAt - five[6]!.sentAt >= 320, 'a gap of silence separates the digits');
  t.notOk(sender.busy);
});

t.test('RFC 4733 receiver reports each press once despite retransmissions', async (t) => {
  const digits: string[] = [];
  const receiver = createDtmfReceiver((d) => digits.push(d));
  const sender = createDtmfSender({ toneMs: 60, gapMs: 20 });
  sender.enqueue('1*9');
  for (let ts = 0; ts < 160 * 40; ts += 160) {
    const frame = sender.nextFrame(ts, 160);
    if (frame) receiver.receive(42, frame.timestamp, frame.payload);
  }
  t.same(digits, ['1', '*', '9']);
  t.equal(receiver.receive(42, 99999, new Uint8Array(2)), 'malformed', 'short payload is malformed');
  t.equal(receiver.receive(42, 99999, new Uint8Array([200, 0, 0, 0])), 'malformed', 'unknown event is malformed');
});

t.test('reorder buffer sorts by timestamp, fills gaps with silence, drops late packets', async (t) => {
  const out: number[] = [];
  const buffer = createReorderBuffer({ depthPackets: 2, maxGapSamples: 16000, onAudio: (pcm) => out.push(...pcm) });
  const frame = (v: number) => new Int16Array(4).fill(v);
  const base = 0xfffffff8; // crosses the 32-bit timestamp wrap
  buffer.push(7, base, frame(1));
  buffer.push(7, (base + 8) >>> 0, frame(3)); // frame 2 lost for now
  buffer.push(7, (base + 4) >>> 0, frame(2)); // arrives late but inside the window
  buffer.push(7, (base + 20) >>> 0, frame(6)); // 4 and 5 lost for good
  buffer.push(7, (base + 24) >>> 0, frame(7));
  buffer.push(7, (base + 4) >>> 0, frame(9)); // far too late: dropped
  buffer.flush();
  t.same(out, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 7, 7, 7, 7]);
  t.equal(buffer.latePackets, 1);
});

t.test('reorder buffer: a new SSRC flushes the old stream and starts afresh', async (t) => {
  const out: number[] = [];
  const buffer = createReorderBuffer({ depthPackets: 3, maxGapSamples: 16000, onAudio: (pcm) => out.push(...pcm) });
  buffer.push(1, 1000, new Int16Array(2).fill(1));
  buffer.push(1, 1002, new Int16Array(2).fill(2));
  buffer.push(2, 50, new Int16Array(2).fill(3)); // phone re-INVITE / transfer: new source, unrelated timestamps
  buffer.flush();
  t.same(out, [1, 1, 2, 2, 3, 3]);
  t.equal(buffer.latePackets, 0, 'the new stream is not mistaken for late packets');
});
