import t from 'tap';
import { parseCookies, serializeCookie } from '../../src/web/cookies.js';
import { createLoginLimiter } from '../../src/web/login-limiter.js';
import { redact } from '../../src/web/audit.js';
import { hashPassword, verifyPassword } from '../../src/web/passwords.js';
import { TEST_SCRYPT } from '../helpers/web.js';

t.test('cookies: parse tolerates junk; serialise is HttpOnly + SameSite=Strict', async (t) => {
  t.same(parseCookies('a=1; b="two%20words"; bad; c=%E0%A4%A; a=ignored'), { a: '1', b: 'two words' });
  t.same(parseCookies(undefined), {});
  t.equal(serializeCookie('s', 'v w', { secure: false }), 's=v%20w; Path=/; HttpOnly; SameSite=Strict');
  t.equal(serializeCookie('s', '', { secure: true, maxAge: 0 }), 's=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
});

t.test('scrypt hashes: salted, verify, reject wrong and malformed', async (t) => {
  const a = await hashPassword('Zażółć gęślą', TEST_SCRYPT);
  const b = await hashPassword('Zażółć gęślą', TEST_SCRYPT);
  t.not(a, b, 'random salt');
  t.match(a, /^scrypt\$1024\$8\$1\$/);
  t.ok(await verifyPassword('Zażółć gęślą', a));
  t.notOk(await verifyPassword('zażółć gęślą', a));
  t.notOk(await verifyPassword('x', 'plain-text'));
});

t.test('login limiter: per IP and per name, sliding window', async (t) => {
  let now = 0;
  const l = createLoginLimiter({ maxFailures: 2, windowMs: 100, now: () => now });
  l.recordFailure('1.1.1.1', 'anna');
  t.equal(l.retryAfterMs('1.1.1.1', 'bob'), 0);
  now = 50;
  l.recordFailure('2.2.2.2', 'ANNA');
  t.equal(l.retryAfterMs('3.3.3.3', 'anna'), 50, 'name limited regardless of case and address');
  now = 101;
  t.equal(l.retryAfterMs('3.3.3.3', 'anna'), 0, 'oldest failure left the window');
});

t.test('audit redaction: secrets masked at any depth; changes flagged', async (t) => {
  t.same(redact({ a: 1, sipPassword: 'x', nested: { token: 't', ok: 'y' }, list: [{ adminPassword: 'p' }] }),
    { a: 1, sipPassword: '[redacted]', nested: { token: '[redacted]', ok: 'y' }, list: [{ adminPassword: '[redacted]' }] });
  t.same(redact({ sipPassword: 'new' }, { sipPassword: 'old' }), { sipPassword: '[redacted, changed]' });
  t.same(redact({ sipPassword: 'same' }, { sipPassword: 'same' }), { sipPassword: '[redacted]' });
});
