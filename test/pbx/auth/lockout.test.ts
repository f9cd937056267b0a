import t from 'tap';
import { Writable } from 'node:stream';
import { createLockout } from '../../../src/pbx/auth/lockout.js';
import { createLogger, silentLogger } from '../../../src/log.js';

function setup(opts: { maxTracked?: number } = {}) {
  let now = 1_000_000;
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const lockout = createLockout({
    maxFailures: 3, windowMs: 60_000, blockMs: 300_000, clock: () => now,
    logger: createLogger({ destination, level: 'info' }), maxTracked: opts.maxTracked ?? 100,
  });
  return { lockout, lines, advance: (ms: number) => { now += ms; } };
}

t.test('blocks after N failures within the window, logging one line when the block starts', async (t) => {
  const { lockout, lines, advance } = setup();
  t.equal(lockout.recordFailure('192.0.2.1'), false);
  advance(10_000);
  t.equal(lockout.recordFailure('192.0.2.1'), false);
  t.equal(lockout.isBlocked('192.0.2.1'), false);
  advance(10_000);
  t.equal(lockout.recordFailure('192.0.2.1'), true, 'the third failure starts the block');
  t.equal(lockout.isBlocked('192.0.2.1'), true);
  t.equal(lockout.isBlocked('192.0.2.2'), false, 'other addresses are not affected');
  t.equal(lockout.recordFailure('192.0.2.1'), false, 'failures during a block do not start another');
  t.equal(lines.length, 1);
  t.match(lines[0], { level: 40, ip: '192.0.2.1', failures: 3, blockSeconds: 300, msg: /3 failed authentications from 192\.0\.2\.1.*403 for 300 s/ });
});

t.test('failures spread wider than the window do not block', async (t) => {
  const { lockout, lines, advance } = setup();
  for (let i = 0; i < 10; i++) {
    t.equal(lockout.recordFailure('192.0.2.1'), false);
    advance(30_001); // at most two failures in any 60 s window
  }
  t.equal(lockout.isBlocked('192.0.2.1'), false);
  t.equal(lines.length, 0);
});

t.test('a block expires after blockMs', async (t) => {
  const { lockout, advance } = setup();
  for (let i = 0; i < 3; i++) lockout.recordFailure('198.51.100.7');
  advance(299_999);
  t.equal(lockout.isBlocked('198.51.100.7'), true);
  advance(1);
  t.equal(lockout.isBlocked('198.51.100.7'), false);
  t.equal(lockout.recordFailure('198.51.100.7'), false, 'counting starts afresh after a block');
});

t.test('success clears earlier failures but does not lift an active block', async (t) => {
  const { lockout } = setup();
  lockout.recordFailure('203.0.113.5');
  lockout.recordFailure('203.0.113.5');
  lockout.recordSuccess('203.0.113.5');
  t.equal(lockout.recordFailure('203.0.113.5'), false, 'only one failure counted after the success');
  t.equal(lockout.recordFailure('203.0.113.5'), false);
  t.equal(lockout.recordFailure('203.0.113.5'), true);
  lockout.recordSuccess('203.0.113.5');
  t.equal(lockout.isBlocked('203.0.113.5'), true);
});

t.test('memory stays bounded, keeping active blocks over mere failure counts', async (t) => {
  const { lockout } = setup({ maxTracked: 10 });
  for (let i = 0; i < 3; i++) lockout.recordFailure('10.0.0.1');
  t.equal(lockout.isBlocked('10.0.0.1'), true);
  for (let i = 0; i < 1000; i++) lockout.recordFailure(`10.1.${i >> 8}.${i & 255}`);
  t.ok(lockout.tracked() <= 10, `tracked ${lockout.tracked()}`);
  t.equal(lockout.isBlocked('10.0.0.1'), true, 'the blocked address was not pushed out');
});

t.test('idle addresses are forgotten', async (t) => {
  const { lockout, advance } = setup();
  lockout.recordFailure('10.0.0.2');
  advance(60_001);
  t.equal(lockout.isBlocked('10.0.0.2'), false);
  t.equal(lockout.tracked(), 0);
});

t.test('bad settings are refused with the name of the setting', async (t) => {
  t.throws(() => createLockout({ maxFailures: 0, windowMs: 1, blockMs: 1, clock: Date.now, logger: silentLogger(), maxTracked: 1 }),
    { message: /maxFailures must be a positive number, got 0/ });
});
