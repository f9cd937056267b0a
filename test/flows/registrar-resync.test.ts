/**
 * `hookflash device resync`: the NOTIFY (Event: check-sync) reaches a registered device — a
 * SIPp UAS on the very port that registered — through the running SIP server.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSipp, describeSipp } from '../helpers/sip/sipp.js';
import { startPbxStack, type PbxStack } from '../helpers/pbx/stack.js';
import { createRegisterClient, registerForHandoff } from '../helpers/pbx/register-client.js';
import { cli } from '../cli/fixtures/run-cli.js';
import type { Teardownable } from '../helpers/srf.js';
import { sendResync } from '../../src/pbx/resync.js';
import { silentLogger } from '../../src/log.js';

const scenario = join(dirname(fileURLToPath(import.meta.url)), '..', 'pbx', 'sipp', 'uas-notify-check-sync.xml');
const MAC = '0011223344aa';

/** Registers 102 from a UDP port, then hands that port to a SIPp UAS expecting the NOTIFY. */
async function registeredSipp(t: Teardownable, stack: PbxStack) {
  const port = await registerForHandoff(t, stack.sut.sipPort, '102', 'secret-102');
  return startSipp({ scenario, localPort: port, timeoutMs: 10_000, teardown: (fn) => t.teardown(fn) });
}

t.test('device resync (CLI) sends check-sync to every registered contact and reports 200', async (t) => {
  const stack = await startPbxStack(t);
  stack.repos.devices.add({ mac: MAC, model: 'spa303', lines: ['102'] });
  const sipp = await registeredSipp(t, stack);
  const configFile = join(stack.dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ sip: { controlPort: stack.sut.controlPort } }));

  const result = await cli(stack.dataDir, ['--config', configFile, 'device', 'resync', '00:11:22:33:44:AA']);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, new RegExp(`102  sip:102@127\\.0\\.0\\.1:${sipp.localPort}  200 OK`));
  t.match(result.stdout, /1 of 1 contact\(s\) accepted the resync/);
  const done = await sipp.done;
  t.equal(done.exitCode, 0, describeSipp(done));
  t.match(done.messages, /NOTIFY sip:102@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*Event: check-sync/);
});

t.test('device resync explains a device without registered contacts and an unknown device', async (t) => {
  const stack = await startPbxStack(t);
  stack.repos.devices.add({ mac: MAC, model: 'spa303', lines: ['102'] });
  const none = await cli(stack.dataDir, ['device', 'resync', MAC]);
  t.equal(none.code, 1);
  t.match(none.stderr, /has no registered contacts \(lines 102\)/);
  const unknown = await cli(stack.dataDir, ['device', 'resync', '00:11:22:33:44:bb']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /does not exist/);
});

t.test('sendResync from the PBX app: a silent contact is reported as not answering', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  t.equal((await phone.registerWithAuth({ password: 'secret-102', expires: 600 })).status, 200);
  // The client never answers the NOTIFY: the outcome must say so within the timeout.
  const outcomes = await sendResync({ srf: stack.srf, findContacts: stack.pbx.findContacts, logger: silentLogger(), timeoutMs: 1500 }, ['102']);
  t.equal(outcomes.length, 1);
  t.equal(outcomes[0]!.status, null);
  t.match(outcomes[0]!.error, /no answer within 1500 ms|timeout|408/i);
});
