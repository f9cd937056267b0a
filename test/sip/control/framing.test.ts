import t from 'tap';
import { createFrameDecoder, encodeFrame } from '../../../src/sip/control/framing.js';

t.test('encodes the UTF-8 byte length, not the character count', async (t) => {
  const frame = encodeFrame('id|ping|é');
  t.equal(frame.toString('utf8'), '10#id|ping|é');
});

t.test('decodes several frames in one chunk and frames split across chunks', async (t) => {
  const decoder = createFrameDecoder({ maxFrameBytes: 1000 });
  const all = Buffer.concat([encodeFrame('a|ping'), encodeFrame('b|route|invite'), encodeFrame('c|sip||\r\nINVITE ☎')]);
  const first = decoder.push(all.subarray(0, 20));
  t.same(first, { ok: true, frames: ['a|ping'] });
  const second = decoder.push(all.subarray(20, all.length - 2));
  t.same(second, { ok: true, frames: ['b|route|invite'] });
  t.ok(decoder.buffered() > 0, 'keeps the partial frame');
  const third = decoder.push(all.subarray(all.length - 2));
  t.same(third, { ok: true, frames: ['c|sip||\r\nINVITE ☎'] });
  t.equal(decoder.buffered(), 0);
});

t.test('splitting inside a multi-byte character still yields the right text', async (t) => {
  const decoder = createFrameDecoder({ maxFrameBytes: 1000 });
  const frame = encodeFrame('x|sip||\r\nMESSAGE 😀');
  const results = [...frame].map((byte) => decoder.push(Buffer.from([byte])));
  t.same(results.flatMap((r) => r.frames), ['x|sip||\r\nMESSAGE 😀']);
});

t.test('garbage and oversized prefixes are errors, and the decoder stays failed', async (t) => {
  const garbage = createFrameDecoder({ maxFrameBytes: 1000 });
  const bad = garbage.push(Buffer.from('GET / HTTP/1.1\r\n'));
  t.equal(bad.ok, false);
  t.equal(garbage.push(encodeFrame('a|ping')).ok, false, 'no frames after an error');

  const oversized = createFrameDecoder({ maxFrameBytes: 1000 });
  const big = oversized.push(Buffer.from('5000#abc'));
  t.match(big, { ok: false, error: /exceeds/ });

  const longPrefix = createFrameDecoder({ maxFrameBytes: 1000 });
  t.match(longPrefix.push(Buffer.from('123456789')), { ok: false, error: /too long/ });

  const empty = createFrameDecoder({ maxFrameBytes: 1000 });
  t.match(empty.push(Buffer.from('#abc')), { ok: false });
  const zero = createFrameDecoder({ maxFrameBytes: 1000 });
  t.match(zero.push(Buffer.from('0#')), { ok: false, error: /zero/ });
});

t.test('frames before a bad one are still delivered', async (t) => {
  const decoder = createFrameDecoder({ maxFrameBytes: 1000 });
  const result = decoder.push(Buffer.concat([encodeFrame('a|ping'), Buffer.from('zz#')]));
  t.same(result.frames, ['a|ping']);
  t.equal(result.ok, false);
});
