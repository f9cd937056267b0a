import t from 'tap';
import { Writable } from 'node:stream';
import { computeDigestResponse, createDigestAuthenticator } from '../../../src/pbx/auth/digest.js';
import { formatDigestAuthorization, parseDigestHeader } from '../../../src/pbx/auth/digest-header.js';
import { createAuthGuard, type AuthCheck } from '../../../src/pbx/auth/guard.js';
import { createLockout } from '../../../src/pbx/auth/lockout.js';
import { createLogger } from '../../../src/log.js';

const REALM = 'office.test';
const URI = 'sip:office.test';
const password = (user: string) => (user === '10' ? 'ten-secret-pw' : undefined);

function setup() {
  let now = 5_000_000;
  const log: string[] = [];
  const destination = new Writable({ write(chunk, _e, done) { log.push(String(chunk)); done(); } });
  const logger = createLogger({ destination, level: 'info' });
  const digest = createDigestAuthenticator({ realm: REALM, nonceTtlMs: 60_000, clock: () => now });
  const lockout = createLockout({ maxFailures: 3, windowMs: 60_000, blockMs: 600_000, clock: () => now, logger, maxTracked: 100 });
  const guard = createAuthGuard({ digest, lockout, logger });
  return { guard, log, advance: (ms: number) => { now += ms; } };
}

function respond(challengeValue: string, user: string, pass: string, method = 'REGISTER'): string {
  const parsed = parseDigestHeader(challengeValue);
  if (!parsed.ok) throw new Error(parsed.error);
  const nonce = parsed.params.get('nonce')!;
  const response = computeDigestResponse({ username: user, realm: REALM, password: pass, method, uri: URI, nonce });
  return formatDigestAuthorization({ username: user, realm: REALM, nonce, uri: URI, response, algorithm: 'MD5' });
}

const base = (over: Partial<AuthCheck>): AuthCheck =>
  ({ ip: '192.0.2.10', method: 'REGISTER', proxy: false, authorizationHeader: undefined, password, ...over });

t.test('REGISTER: challenge, then allow with the right password', async (t) => {
  const { guard } = setup();
  const first = guard.check(base({}));
  t.match(first, { action: 'challenge', status: 401, header: 'WWW-Authenticate', value: /^Digest realm="office\.test"/ });
  if (first.action !== 'challenge') return;
  t.same(guard.check(base({ authorizationHeader: respond(first.value, '10', 'ten-secret-pw'), actingAs: '10' })), { action: 'allow', username: '10' });
});

t.test('INVITE gets 407 Proxy-Authenticate; stale nonces are re-challenged with stale=true', async (t) => {
  const { guard, advance } = setup();
  const first = guard.check(base({ method: 'INVITE', proxy: true }));
  t.match(first, { action: 'challenge', status: 407, header: 'Proxy-Authenticate' });
  if (first.action !== 'challenge') return;
  advance(60_000);
  const again = guard.check(base({ method: 'INVITE', proxy: true, authorizationHeader: respond(first.value, '10', 'ten-secret-pw', 'INVITE') }));
  t.match(again, { action: 'challenge', status: 407, value: /stale=true$/ });
});

t.test('an extension may not act for another one', async (t) => {
  const { guard, log } = setup();
  const first = guard.check(base({}));
  if (first.action !== 'challenge') throw new Error('expected a challenge');
  t.same(guard.check(base({ authorizationHeader: respond(first.value, '10', 'ten-secret-pw'), actingAs: '11' })),
    { action: 'reject', status: 403, reason: 'authenticated as 10, not 11' });
  t.match(log.join(''), /10 authenticated but the REGISTER is for 11/);
});

t.test('repeated wrong passwords block the address with 403; the password never reaches the log', async (t) => {
  const { guard, log, advance } = setup();
  const attempt = () => {
    const c = guard.check(base({}));
    if (c.action !== 'challenge') return c;
    return guard.check(base({ authorizationHeader: respond(c.value, '10', 'wrong-guess-pw') }));
  };
  t.match(attempt(), { action: 'challenge' });
  t.match(attempt(), { action: 'challenge' });
  t.same(attempt(), { action: 'reject', status: 403, reason: 'address blocked after repeated failed authentications' });
  t.match(guard.check(base({})), { action: 'reject', status: 403 }, 'even a fresh request is refused');
  t.match(guard.check(base({ ip: '192.0.2.11' })), { action: 'challenge' }, 'other addresses are fine');
  const text = log.join('');
  t.equal(text.match(/refusing it with 403/g)?.length, 1, 'one line when the block starts');
  t.notMatch(text, /wrong-guess-pw|ten-secret-pw/);
  advance(600_000);
  t.match(guard.check(base({})), { action: 'challenge' }, 'the block ends');
});

t.test('malformed credentials are a 400 with the reason', async (t) => {
  const { guard } = setup();
  t.match(guard.check(base({ authorizationHeader: 'Digest username="10"' })), { action: 'reject', status: 400, reason: /"realm" is missing/ });
});
