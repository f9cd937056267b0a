import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { createNotFoundLimiter } from '../../src/provisioning/rate-limit.js';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

t.test('blocks an address after max misses in the window, then lets it go', async (t) => {
  let clock = 1_000_000;
  const { logger, lines } = capturingLogger();
  const limiter = createNotFoundLimiter({ max: 3, windowSeconds: 10, blockSeconds: 30, now: () => clock, logger });
  t.same(limiter.check('192.0.2.1'), { blocked: false });
  t.equal(limiter.recordMiss('192.0.2.1'), false);
  t.equal(limiter.recordMiss('192.0.2.1'), false);
  t.same(limiter.check('192.0.2.1'), { blocked: false }, 'two misses are allowed');
  t.equal(limiter.recordMiss('192.0.2.1'), true, 'the third miss starts the block');
  t.same(limiter.check('192.0.2.1'), { blocked: true, retryAfterSeconds: 30 });
  t.same(limiter.check('192.0.2.2'), { blocked: false }, 'other addresses are unaffected');
  t.equal(limiter.recordMiss('192.0.2.1'), false, 'misses while blocked do not restart the block');

  clock += 29_500;
  t.same(limiter.check('192.0.2.1'), { blocked: true, retryAfterSeconds: 1 });
  clock += 500;
  t.same(limiter.check('192.0.2.1'), { blocked: false }, 'the block expires');
  t.equal(limiter.recordMiss('192.0.2.1'), false, 'counting starts again from zero');

  const blockLines = lines.filter((l) => l.msg === 'too many not-found provisioning requests; address blocked');
  t.equal(blockLines.length, 1, 'one log line per block, not one per request');
  t.equal(blockLines[0]!.ip, '192.0.2.1');
});

t.test('misses spread over more than a window never block', async (t) => {
  let clock = 0;
  const limiter = createNotFoundLimiter({ max: 3, windowSeconds: 10, blockSeconds: 30, now: () => clock, logger: capturingLogger().logger });
  for (let i = 0; i < 10; i++) {
    limiter.recordMiss('192.0.2.7');
    limiter.recordMiss('192.0.2.7');
    clock += 10_000;
  }
  t.same(limiter.check('192.0.2.7'), { blocked: false });
});

t.test('IPv4 and IPv4-mapped spellings count as one address', async (t) => {
  const limiter = createNotFoundLimiter({ max: 2, windowSeconds: 10, blockSeconds: 30, logger: capturingLogger().logger });
  limiter.recordMiss('::ffff:192.0.2.9');
  limiter.recordMiss('192.0.2.9');
  t.equal(limiter.check('192.0.2.9').blocked, true);
  t.equal(limiter.check('::ffff:192.0.2.9').blocked, true);
});

t.test('memory stays bounded under a flood of addresses', async (t) => {
  let clock = 0;
  const limiter = createNotFoundLimiter({ max: 5, windowSeconds: 60, blockSeconds: 60, maxTracked: 100, now: () => clock, logger: capturingLogger().logger });
  for (let i = 0; i < 5000; i++) {
    limiter.recordMiss(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    clock += 1;
  }
  t.ok(limiter.trackedCount() <= 100, `tracked ${limiter.trackedCount()} addresses`);
});

t.test('max 0 disables the limiter', async (t) => {
  const limiter = createNotFoundLimiter({ max: 0, windowSeconds: 10, blockSeconds: 30, logger: capturingLogger().logger });
  for (let i = 0; i < 50; i++) limiter.recordMiss('192.0.2.1');
  t.same(limiter.check('192.0.2.1'), { blocked: false });
  t.equal(limiter.trackedCount(), 0);
});
