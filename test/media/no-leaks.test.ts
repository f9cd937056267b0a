/**
 * 1,000 calls answered with media through the whole SIP path (SIPp → embedded SIP server →
 * PBX → answerWithMedia → voicemail) and hung up by the caller leave nothing behind: no open
 * endpoint, no port marked in use, no extra UDP socket or file descriptor in the process.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSipp, runSipp } from '../helpers/sip/sipp.js';
import { password, startCallStack } from '../helpers/pbx/calls.js';
import { fastVoicemailConfig, writeShortPrompts } from '../helpers/pbx/voicemail.js';
import { testEngine, waitFor } from './fixtures/endpoints.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CALLS = 1000;

const openFds = () => readdirSync('/proc/self/fd').length;
const udpHandles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()
  .filter((h) => h?.constructor?.name === 'Socket' && typeof (h as { setBroadcast?: unknown }).setBroadcast === 'function').length;

t.test(`${CALLS} voicemail call cycles leave no sockets or ports behind`, { timeout: 400_000 }, async (t) => {
  const engine = testEngine({ portRange: { min: 32000, max: 32199 } });
  t.teardown(() => engine.close());
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'), 60);
  const cs = await startCallStack(t, {
    extensions: ['101', '102'],
    // Nothing is ever long enough to keep: the caller hangs up 0.5 s after the answer.
    voicemail: { engine, config: fastVoicemailConfig(prompts, { minMessageMs: 5000 }) },
  });
  cs.stack.repos.mailboxes.add({ box: '101', name: 'Anna', language: 'en', extension: '101' });
  cs.setForwarding('101', { always: { kind: 'voicemail', box: '101' } });

  // One warm-up call so lazily created handles (caches, the media clock) exist before counting.
  const warm = await runSipp({
    scenario: join(HERE, '..', 'pbx', 'call', 'sipp', 'uac-auth-call.xml'), remote: `127.0.0.1:${cs.sipPort}`, service: '101',
    authUser: '102', authPassword: password('102'), keys: { caller: '102', caller_name: 'Bob' }, timeoutMs: 20_000,
    extraArgs: ['-auth_uri', `101@127.0.0.1:${cs.sipPort}`],
  });
  t.equal(warm.exitCode, 0, `warm-up call: ${describeSipp(warm)}`);
  await cs.settled();
  await waitFor(() => engine.stats().openEndpoints === 0, 5_000, 'warm-up endpoint closed');
  const before = { fds: openFds(), udp: udpHandles() };
  t.ok(before.udp > 0, `the UDP probe sees the SIP server's sockets (${before.udp})`);
  // Sampled during the run: the calls really did hold media endpoints.
  let peakEndpoints = 0;
  const sampler = setInterval(() => { peakEndpoints = Math.max(peakEndpoints, engine.stats().openEndpoints); }, 20);
  t.teardown(() => clearInterval(sampler));

  const result = await runSipp({
    scenario: join(HERE, '..', 'pbx', 'call', 'sipp', 'uac-auth-call.xml'), remote: `127.0.0.1:${cs.sipPort}`, service: '101',
    authUser: '102', authPassword: password('102'), keys: { caller: '102', caller_name: 'Bob' },
    calls: CALLS, rate: 40, limit: 30, timeoutMs: 360_000,
    extraArgs: ['-auth_uri', `101@127.0.0.1:${cs.sipPort}`],
  });
  clearInterval(sampler);
  t.equal(result.successful, CALLS, `every call completed: ${describeSipp(result)}`);
  t.ok(peakEndpoints > 1, `calls held media endpoints at once (peak ${peakEndpoints})`);
  t.equal(result.failed, 0);
  t.equal(await cs.settled(10_000), 0, 'no call legs left');
  await cs.voicemail!.idle();
  await waitFor(() => engine.stats().openEndpoints === 0 && engine.stats().portsInUse === 0, 10_000, 'endpoints closed');
  const stats = engine.stats();
  t.equal(stats.openEndpoints, 0, 'no open endpoints');
  t.equal(stats.portsInUse, 0, 'no ports in use');
  t.equal(stats.clockStreams, 0, 'no streams left on the media clock');
  t.equal(udpHandles(), before.udp, `UDP sockets as before (${before.udp})`);
  t.ok(openFds() <= before.fds, `file descriptors not grown (${before.fds} → ${openFds()})`);
  t.equal(cs.stack.repos.voicemailMessages.listForBox('101').length, 0, 'too-short recordings were all discarded');
  t.equal(cs.stack.repos.cdr.list({ callee: '101', limit: 2000 }).length, CALLS + 1, 'one call record per call');
});
