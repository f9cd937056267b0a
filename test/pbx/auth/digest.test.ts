import t from 'tap';
import { computeDigestResponse, countsTowardLockout, createDigestAuthenticator } from '../../../src/pbx/auth/digest.js';
import { formatDigestAuthorization, parseDigestHeader } from '../../../src/pbx/auth/digest-header.js';

const REALM = 'pbx.example.test';
const URI = 'sip:pbx.example.test';
const passwords: Record<string, string> = { '10': 'secret-ten-10', '12': 'twelve, "quoted"' };
const password = (user: string) => passwords[user];

function setup(opts: { nonceTtlMs?: number; maxTrackedNonces?: number } = {}) {
  let now = 1_800_000_000_000;
  const auth = createDigestAuthenticator({
    realm: REALM, secret: Buffer.alloc(32, 7), nonceTtlMs: opts.nonceTtlMs ?? 30_000, clock: () => now,
    ...(opts.maxTrackedNonces === undefined ? {} : { maxTrackedNonces: opts.maxTrackedNonces }),
  });
  const advance = (ms: number) => { now += ms; };
  return { auth, advance };
}

function nonceOf(challengeValue: string): string {
  const parsed = parseDigestHeader(challengeValue);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.params.get('nonce')!;
}

interface Answer { user?: string; pass?: string; nonce: string; method?: string; uri?: string; qop?: boolean; nc?: number; realm?: string }

/** What a phone sends back: with qop=auth (baresip) or without (SPA303). */
function answer(a: Answer): string {
  const user = a.user ?? '10';
  const realm = a.realm ?? REALM;
  const uri = a.uri ?? URI;
  const method = a.method ?? 'REGISTER';
  const qopFields = a.qop ? { qop: 'auth', nc: (a.nc ?? 1).toString(16).padStart(8, '0'), cnonce: 'c0ffee' } : {};
  const response = computeDigestResponse({
    username: user, realm, password: a.pass ?? passwords[user] ?? 'whatever', method, uri, nonce: a.nonce, ...qopFields,
  });
  return formatDigestAuthorization({ username: user, realm, nonce: a.nonce, uri, response, algorithm: 'MD5', ...qopFields });
}

t.test('challenge carries realm, a fresh nonce, opaque, MD5 and qop=auth', async (t) => {
  const { auth } = setup();
  const first = auth.challenge();
  t.equal(first.header, 'WWW-Authenticate');
  t.match(first.value, /^Digest realm="pbx\.example\.test", nonce="[A-Za-z0-9_-]{43}", opaque="[^"]+", algorithm=MD5, qop="auth"$/);
  t.not(nonceOf(first.value), nonceOf(auth.challenge().value), 'each challenge has its own nonce');
  const proxy = auth.challenge({ proxy: true, stale: true });
  t.equal(proxy.header, 'Proxy-Authenticate');
  t.match(proxy.value, /, stale=true$/);
});

t.test('computeDigestResponse matches the RFC 2617 §3.5 example', async (t) => {
  t.equal(computeDigestResponse({
    username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
  }), '6629fae49393a05397450978507c4ef1');
});

t.test('accepts a right answer with qop=auth and without qop', async (t) => {
  const { auth } = setup();
  const withQop = answer({ nonce: nonceOf(auth.challenge().value), qop: true });
  t.same(auth.verify({ method: 'REGISTER', authorizationHeader: withQop, password, requestUri: URI }), { ok: true, username: '10' });
  const spaStyle = answer({ user: '12', method: 'INVITE', uri: 'sip:10@pbx.example.test', nonce: nonceOf(auth.challenge({ proxy: true }).value) });
  t.same(auth.verify({ method: 'INVITE', authorizationHeader: spaStyle, password }), { ok: true, username: '12' });
});

t.test('a missing header, wrong password and unknown user are refused with their reason', async (t) => {
  const { auth } = setup();
  t.same(auth.verify({ method: 'REGISTER', authorizationHeader: undefined, password }), { ok: false, reason: 'missing' });
  const wrong = auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: nonceOf(auth.challenge().value), pass: 'guess' }), password });
  t.match(wrong, { ok: false, reason: 'bad-response', username: '10' });
  t.equal(countsTowardLockout(wrong), true);
  const unknown = auth.verify({ method: 'REGISTER', authorizationHeader: answer({ user: '99', nonce: nonceOf(auth.challenge().value) }), password });
  t.match(unknown, { ok: false, reason: 'unknown-user', username: '99' });
  t.equal(countsTowardLockout(unknown), true);
  const method = auth.verify({ method: 'INVITE', authorizationHeader: answer({ nonce: nonceOf(auth.challenge().value) }), password });
  t.match(method, { ok: false, reason: 'bad-response' }, 'the response covers the method');
});

t.test('an expired nonce with the right password is stale=true; with a wrong one it is bad-response', async (t) => {
  const { auth, advance } = setup({ nonceTtlMs: 30_000 });
  const nonce = nonceOf(auth.challenge().value);
  advance(29_999);
  t.same(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce, qop: true }), password }), { ok: true, username: '10' });
  const late = nonceOf(auth.challenge().value);
  advance(30_000);
  const stale = auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: late }), password });
  t.match(stale, { ok: false, reason: 'stale-nonce', stale: true });
  t.equal(countsTowardLockout(stale), false, 'a stale nonce is not a guess');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: late, pass: 'nope' }), password }),
    { ok: false, reason: 'bad-response' });
});

t.test('replays are refused: same nc with qop, any reuse without qop', async (t) => {
  const { auth } = setup();
  const nonce = nonceOf(auth.challenge().value);
  const first = answer({ nonce, qop: true, nc: 1 });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: first, password }), { ok: true });
  const replay = auth.verify({ method: 'REGISTER', authorizationHeader: first, password });
  t.match(replay, { ok: false, reason: 'replayed', stale: true }, 'stale, so a phone that reuses a nonce just gets a new one');
  t.equal(countsTowardLockout(replay), false);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce, qop: true, nc: 2 }), password }), { ok: true },
    'a higher nc on the same nonce is a new request');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce, qop: true, nc: 2 }), password }), { ok: false, reason: 'replayed' });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce }), password }), { ok: false, reason: 'replayed' },
    'dropping qop does not get around the counter');

  const single = nonceOf(auth.challenge().value);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: single }), password }), { ok: true });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: single }), password }), { ok: false, reason: 'replayed' });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: single, qop: true, nc: 5 }), password }),
    { ok: false, reason: 'replayed' });
});

t.test('used nonces are forgotten once expired, and the guard stays bounded without reopening replays', async (t) => {
  const { auth, advance } = setup({ nonceTtlMs: 10_000, maxTrackedNonces: 3 });
  const nonces = [1, 2, 3].map(() => nonceOf(auth.challenge().value));
  for (const nonce of nonces) t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce }), password }), { ok: true });
  t.equal(auth.trackedNonces(), 3);
  const fourth = nonceOf(auth.challenge().value);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: fourth }), password }), { ok: true });
  t.equal(auth.trackedNonces(), 3, 'bounded');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: nonces[0]! }), password }),
    { ok: false, reason: 'stale-nonce', stale: true }, 'a forgotten nonce cannot be replayed: the client is sent to get a new one');
  advance(10_000);
  const fresh = nonceOf(auth.challenge().value);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: fresh }), password }), { ok: true });
  t.equal(auth.trackedNonces(), 1, 'expired entries were dropped');
});

t.test('a tampered or foreign nonce never authenticates: stale with the right password, bad-response without', async (t) => {
  const { auth } = setup();
  const nonce = nonceOf(auth.challenge().value);
  const flipped = (nonce[5] === 'A' ? 'B' : 'A');
  const tampered = nonce.slice(0, 5) + flipped + nonce.slice(6);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: tampered }), password }),
    { ok: false, reason: 'stale-nonce', stale: true, detail: 'nonce was not issued by this server' });
  const guess = auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: tampered, pass: 'guess' }), password });
  t.match(guess, { ok: false, reason: 'bad-response' });
  t.equal(guess.ok === false && guess.stale, undefined, 'no stale hint without the right password');
  // A phone re-registering with a nonce from before a restart (another secret) just gets a new one.
  const before = createDigestAuthenticator({ realm: REALM, secret: Buffer.alloc(32, 9), nonceTtlMs: 30_000, clock: () => 1_800_000_000_000 });
  const oldNonce = nonceOf(before.challenge().value);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: oldNonce }), password }), { ok: false, reason: 'stale-nonce', stale: true });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: 'abc' }), password }), { ok: false, reason: 'stale-nonce' });
  const wrongOpaque = formatDigestAuthorization({ ...parsedCredentials(answer({ nonce: nonceOf(auth.challenge().value) })), opaque: 'not-ours' });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: wrongOpaque, password }), { ok: false, reason: 'stale-nonce' });
});

function parsedCredentials(header: string) {
  const parsed = parseDigestHeader(header);
  if (!parsed.ok) throw new Error(parsed.error);
  const p = parsed.params;
  return { username: p.get('username')!, realm: p.get('realm')!, nonce: p.get('nonce')!, uri: p.get('uri')!, response: p.get('response')! };
}

t.test('the opaque we issued is accepted when echoed', async (t) => {
  const { auth } = setup();
  const challenge = parseDigestHeader(auth.challenge().value);
  if (!challenge.ok) throw new Error(challenge.error);
  const header = formatDigestAuthorization({ ...parsedCredentials(answer({ nonce: challenge.params.get('nonce')! })), opaque: challenge.params.get('opaque')! });
  t.same(auth.verify({ method: 'REGISTER', authorizationHeader: header, password }), { ok: true, username: '10' });
});

t.test('realm mismatch, request-URI mismatch, unsupported algorithm and qop are refused', async (t) => {
  const { auth } = setup();
  const nonce = () => nonceOf(auth.challenge().value);
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: nonce(), realm: 'other.test' }), password }),
    { ok: false, reason: 'realm-mismatch', detail: /other\.test/ });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: answer({ nonce: nonce(), uri: 'sip:evil.test' }), password, requestUri: URI }),
    { ok: false, reason: 'malformed', detail: /does not match the request URI/ });
  const md5sess = answer({ nonce: nonce() }).replace('algorithm=MD5', 'algorithm=MD5-sess');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: md5sess, password }), { ok: false, reason: 'malformed', detail: /MD5-sess/ });
  const authInt = answer({ nonce: nonce(), qop: true }).replace('qop=auth', 'qop=auth-int');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: authInt, password }), { ok: false, reason: 'malformed', detail: /auth-int/ });
  const noCnonce = answer({ nonce: nonce(), qop: true }).replace(/, cnonce="[^"]*"/, '');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: noCnonce, password }), { ok: false, reason: 'malformed', detail: /cnonce/ });
  const noAlgorithm = answer({ nonce: nonce() }).replace(', algorithm=MD5', '');
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: noAlgorithm, password }), { ok: true }, 'algorithm may be absent');
});

t.test('missing fields and broken headers are malformed, with what was wrong', async (t) => {
  const { auth } = setup();
  const full = answer({ nonce: nonceOf(auth.challenge().value) });
  for (const field of ['username', 'realm', 'nonce', 'uri', 'response']) {
    const parsed = parseDigestHeader(full);
    if (!parsed.ok) throw new Error(parsed.error);
    parsed.params.delete(field);
    const without = `Digest ${[...parsed.params].map(([k, v]) => `${k}="${v}"`).join(', ')}`;
    t.match(auth.verify({ method: 'REGISTER', authorizationHeader: without, password }),
      { ok: false, reason: 'malformed', detail: new RegExp(`"${field}" is missing`) }, field);
  }
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: 'Basic dXNlcjpwYXNz', password }), { ok: false, reason: 'malformed', detail: /not Digest/ });
  t.match(auth.verify({ method: 'REGISTER', authorizationHeader: full.replace('response="', 'response="zz'), password }),
    { ok: false, reason: 'malformed', detail: /32 hex/ });
});

t.test('header parser: commas and escaped quotes inside quoted strings, spacing, errors', async (t) => {
  const parsed = parseDigestHeader('Digest  username="a, b",realm = "r\\"x" ,  nonce="n",uri="sip:x;a=1,b", qop=auth, NC=00000001');
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  t.same(Object.fromEntries(parsed.params), { username: 'a, b', realm: 'r"x', nonce: 'n', uri: 'sip:x;a=1,b', qop: 'auth', nc: '00000001' });
  t.match(parseDigestHeader('Digest username="open'), { ok: false, error: /unterminated/ });
  t.match(parseDigestHeader('Digest username="a", username="b"'), { ok: false, error: /twice/ });
  t.match(parseDigestHeader('Digest username'), { ok: false, error: /no "="/ });
  t.match(parseDigestHeader('Digest username="a" realm="b"'), { ok: false, error: /expected ","/ });
  t.match(parseDigestHeader('Digest username=, realm="b"'), { ok: false, error: /empty value/ });
  t.match(parseDigestHeader(`Digest username="${'x'.repeat(5000)}"`), { ok: false, error: /longer than/ });
});

t.test('a password containing quotes and commas works end to end', async (t) => {
  const { auth } = setup();
  const header = answer({ user: '12', nonce: nonceOf(auth.challenge().value), qop: true });
  t.same(auth.verify({ method: 'REGISTER', authorizationHeader: header, password }), { ok: true, username: '12' });
});
