/**
 * The SPA112's hook-flash transfer, end to end. Its analog user cannot run a SIP client here,
 * so the ATA's exact SIP sequence is a SIPp scenario (test/fixtures/sipp/spa112-*.xml,
 * registered as extension 102); the other parties are baresip phones sending their own tones,
 * so the audio after the transfer is real and analysed.
 */
import t, { type Test } from 'tap';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type Baresip } from '../helpers/sip/baresip.js';
import { describeSipp, startSipp, type SippRun } from '../helpers/sip/sipp.js';
import { writeMulawToneWav } from '../helpers/sip/wav.js';
import { encodeG711 } from '../../src/media/g711.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { password, startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { registerForHandoff } from '../helpers/pbx/register-client.js';
import { heardAtEnd, registeredBaresip } from '../helpers/pbx/phones.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(HERE, '..', 'fixtures', 'sipp', name);
const EXTENSIONS = ['101', '102', '103', '104'];

async function phone(t: Teardownable, cs: CallStack, ext: string, toneHz: number, autoAnswer = true): Promise<Baresip> {
  return registeredBaresip(t, cs, ext, { toneHz: toneHz, autoAnswer: autoAnswer });
}

/** Registers 102 from a port, then runs the ATA scenario (fixture name or absolute path) on that port. */
async function spa112(t: Test, cs: CallStack, scenario: string, keys: Record<string, string>, target: string, extra: string[] = []): Promise<SippRun> {
  const port = await registerForHandoff(t, cs.sipPort, '102', password('102'));
  const pbx = `127.0.0.1:${cs.sipPort}`;
  return startSipp({
    scenario: scenario.startsWith('/') ? scenario : fixture(scenario), localPort: port, timeoutMs: 30_000, teardown: (fn) => t.teardown(fn),
    keys: { user: '102', pbx, target, ...keys },
    authUser: '102', authPassword: password('102'),
    // SIPp digests one URI per run; the PBX checks it against the Request-URI of the INVITE to the target.
    extraArgs: ['-auth_uri', `${target}@${pbx}`, ...extra],
  });
}

/**
 * The attended flow with the hold in `hold` style; `heldAudioVisible`: whether A's baresip
 * recording can show what A hears after the join. baresip 1.0 (Debian) stops decoding received
 * audio for good once it has answered an a=sendonly hold with a=recvonly: its own status line
 * shows rx 0 bit/s although it logs "incoming rtp … established" from 103 after the join. With
 * the RFC 2543 hold (c=0.0.0.0), the SPA's default, its decoder keeps running.
 */
async function attended(t: Test, hold: { dir: string; addr: string }, heldAudioVisible: boolean): Promise<void> {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const c = await phone(t, cs, '103', 700);
  const ata = await spa112(t, cs, 'spa112-attended-transfer.xml', { hold_dir: hold.dir, hold_addr: hold.addr }, '103');
  t.ok((await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`)).ok, '101 calls the SPA112 line 102');
  await a.waitEvent('CALL_ESTABLISHED', 15_000).catch(async (err: Error) => {
    const r = await ata.stop();
    throw new Error(`${err.message}\n${describeSipp(r)}\n${r.messages.slice(-6000)}`);
  });
  const atC = await c.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atC.peeruri, /^sip:102@/, 'the consultation call reaches 103 from 102');
  const result = await ata.done;
  t.equal(result.exitCode, 0, `the ATA got its hold answered, then 202, NOTIFY sipfrag 100 and 200, and a BYE on each leg: ${result.exitCode === 0 ? "" : `${describeSipp(result)}\n${result.messages.slice(-4000)}`}`);
  if (hold.dir === 'sendonly') t.match(result.messages, /a=recvonly/, "101's phone answered the hold with a=recvonly (relayed by the PBX)");
  await delay(2000);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call is still up");
  t.notOk(c.events.some((e) => e.type === 'CALL_CLOSED'), "103's call is still up");
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  const atCAudio = heardAtEnd(c, 1.5, [440, 700]);
  t.ok(atCAudio[440]! > 0.01 && atCAudio[440]! > 10 * atCAudio[700]!, `103 hears 101's 440 Hz (${JSON.stringify(atCAudio)})`);
  if (heldAudioVisible) {
    const atA = heardAtEnd(a, 1.5, [700, 440]);
    t.ok(atA[700]! > 0.01 && atA[700]! > 10 * atA[440]!, `101 hears 103's 700 Hz (${JSON.stringify(atA)})`);
  } else {
    t.ok(a.events.some((e) => e.type === 'CALL_RTPESTAB'), "103's RTP reached 101 after the join (baresip cannot record it past an a=sendonly hold)");
  }
  const events = cs.stack.repos.cdr.list().flatMap((r) => r.events);
  t.match(events, [{ kind: 'transfer', type: 'attended', by: '102', transferee: '101', target: '103', result: 'completed', status: 200 }]);
}

t.test('SPA112 hook flash (a=sendonly hold): hold A, dial 103, announce, hang up = REFER with Replaces', (t) =>
  attended(t, { dir: 'sendonly', addr: '127.0.0.1' }, false));

t.test('SPA112 hook flash (RFC 2543 hold, c=0.0.0.0): A and 103 hear each other after the transfer', (t) =>
  attended(t, { dir: 'sendrecv', addr: '0.0.0.0' }, true));

t.test('SPA112 hangs up right after the 202 (Xfer_When_Hangup_Conf, BYE delays 0): the PBX still joins A and 103', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const c = await phone(t, cs, '103', 700);
  const ata = await spa112(t, cs, 'spa112-attended-hangup.xml', { hold_dir: 'sendrecv', hold_addr: '0.0.0.0' }, '103', ['-aa']);
  t.ok((await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`)).ok, '101 calls the SPA112 line 102');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  await c.waitEvent('CALL_ESTABLISHED', 15_000);
  const result = await ata.done;
  t.equal(result.exitCode, 0, `the ATA's REFER got 202 and both its BYEs got 200${result.exitCode === 0 ? '' : `: ${describeSipp(result)}\n${result.messages.slice(-4000)}`}`);
  await delay(2500);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call is still up");
  t.notOk(c.events.some((e) => e.type === 'CALL_CLOSED'), "103's call is still up");
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  const atA = heardAtEnd(a, 1.5, [700, 440]);
  const atC = heardAtEnd(c, 1.5, [440, 700]);
  t.ok(atA[700]! > 0.01 && atA[700]! > 10 * atA[440]!, `101 hears 103's 700 Hz (${JSON.stringify(atA)})`);
  t.ok(atC[440]! > 0.01 && atC[440]! > 10 * atC[700]!, `103 hears 101's 440 Hz (${JSON.stringify(atC)})`);
  const events = cs.stack.repos.cdr.list().flatMap((r) => r.events);
  t.match(events, [{ kind: 'transfer', type: 'attended', by: '102', transferee: '101', target: '103', result: 'completed' }]);
});

/** The failure scenario with its tone file: the ATA "talks" at 1000 Hz after taking the call back. */
function failureScenario(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-spa112-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tone = join(dir, 'ata-1000hz.wav');
  writeMulawToneWav(tone, 10, 1000, (samples) => encodeG711('PCMU', samples));
  const path = join(dir, 'spa112-transfer-fails.xml');
  writeFileSync(path, readFileSync(fixture('spa112-transfer-fails.xml'), 'utf8').replaceAll('TONE_WAV', tone));
  return path;
}

/**
 * Hold A, REFER to a target that fails; the ATA must get the failure in a NOTIFY and then
 * resume A (re-INVITE a=sendrecv answered sendrecv) and talk to it.
 */
async function failedTransfer(t: Test, opts: { target: string; busy: boolean; hold: { dir: string; addr: string }; status: number; heldAudioVisible: boolean }): Promise<void> {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const c = opts.busy ? await phone(t, cs, opts.target, 700, false) : undefined;
  const ata = await spa112(t, cs, failureScenario(t), { hold_dir: opts.hold.dir, hold_addr: opts.hold.addr }, opts.target);
  t.ok((await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`)).ok, '101 calls the SPA112 line 102');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  if (c !== undefined) {
    await c.waitEvent('CALL_INCOMING', 15_000);
    await c.hangup();
  }
  const result = await ata.done;
  t.equal(result.exitCode, 0, `the ATA got 202, NOTIFY 100 and a failure NOTIFY, resumed A and hung up: ${result.exitCode === 0 ? "" : `${describeSipp(result)}\n${result.messages.slice(-4000)}`}`);
  const notifies = [...result.messages.matchAll(/NOTIFY sip:[\s\S]*?\r?\n\r?\n(SIP\/2\.0 \d{3}[^\r\n]*)/g)].map((m) => m[1]);
  t.same(notifies, ['SIP/2.0 100 Trying', `SIP/2.0 ${opts.status} ${opts.status === 486 ? 'Busy Here' : 'Temporarily Unavailable'}`],
    'NOTIFY sipfrag: 100, then the failure');
  await a.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, "the ATA's BYE ended A's call; no legs left");
  if (opts.heldAudioVisible) {
    const atA = heardAtEnd(a, 1, [1000, 700]);
    t.ok(atA[1000]! > 0.01 && atA[1000]! > 10 * atA[700]!, `101 hears the ATA's 1000 Hz again after the resume (${JSON.stringify(atA)})`);
  } else {
    t.ok(a.events.some((e) => e.type === 'CALL_RTPESTAB'), "the ATA's RTP reached 101 after the resume (baresip cannot record it past an a=sendonly hold)");
  }
  const [record] = cs.stack.repos.cdr.list();
  t.match(record?.events, [{ kind: 'transfer', type: 'blind', by: '102', transferee: '101', target: opts.target, result: 'failed', status: opts.status }]);
  t.equal(record?.disposition, 'answered');
}

t.test('SPA112 transfer to a busy phone: NOTIFY 486, A stays on hold, the ATA resumes and talks to A', (t) =>
  failedTransfer(t, { target: '103', busy: true, hold: { dir: 'sendonly', addr: '127.0.0.1' }, status: 486, heldAudioVisible: false }));

t.test('SPA112 transfer to an unregistered extension (RFC 2543 hold): NOTIFY 480, resume, A hears the ATA', (t) =>
  failedTransfer(t, { target: '104', busy: false, hold: { dir: 'sendrecv', addr: '0.0.0.0' }, status: 480, heldAudioVisible: true }));
