/**
 * The composition root wires the PBX for real: an extension calling through `startHookflash`
 * is authenticated (407), routed by the call plan (unregistered → 480, unknown → 404), and its
 * star codes change forwarding in the database — the same paths the helper stacks test, but
 * assembled by src/app.ts from the config.
 */
import t from 'tap';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { openRepositories } from '../../src/data/index.js';
import { startHookflash } from '../../src/app.js';
import { scriptedInvite } from '../helpers/pbx/calls.js';

const PASSWORDS: Record<string, string> = { '101': 'secret-101-pw', '102': 'secret-102-pw' };

t.test('calls through the composed server are authenticated, routed and can set forwarding', async (t) => {
  const dataDir = join(t.testdir(), 'data');
  const seed = openRepositories({ dataDir, logger: silentLogger() });
  for (const [number, sipPassword] of Object.entries(PASSWORDS)) {
    seed.extensions.add({ number, displayName: `Ext ${number}`, sipPassword });
  }
  seed.close();

  const config = loadConfig({
    env: { HOOKFLASH_DATA_DIR: dataDir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '0', HOOKFLASH_SIP_PORT: '0' },
    overrides: { sip: { host: '127.0.0.1', controlPort: 0 } },
  });
  const running = await startHookflash(config, { logger: silentLogger() });
  t.teardown(() => running.stop());
  const sipPort = running.ports.sip!;
  t.type(sipPort, 'number');

  const unregistered = await scriptedInvite(t, sipPort, '101', '102', { password: PASSWORDS['101'] });
  t.equal(unregistered.status, 480, 'extension 102 has no binding: unavailable');

  const unknown = await scriptedInvite(t, sipPort, '101', '555', { password: PASSWORDS['101'] });
  t.equal(unknown.status, 404, 'no such number');

  const wrong = await scriptedInvite(t, sipPort, '101', '102', { password: 'not-the-password' });
  t.equal(wrong.status, 407, 'a wrong password is challenged again');

  const starCode = await scriptedInvite(t, sipPort, '101', '*72102', { password: PASSWORDS['101'] });
  t.equal(starCode.status, 603, 'star codes answer with their result');
  t.match(starCode.header('Warning') ?? '', /102/);

  await running.stop();
  const check = openRepositories({ dataDir, logger: silentLogger() });
  t.teardown(() => check.close());
  t.match(JSON.stringify(check.forwarding.get('101') ?? null), /102/, '*72102 stored an unconditional forward to 102');
});
