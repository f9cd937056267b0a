/**
 * Test helper: the registrar stack (stack.ts) plus call handling installed on a second
 * drachtio-srf app connected to the same embedded server (INVITEs are routed to the app that
 * asked for them). Phones: SIPp UAS scenarios registered at their own port, a scripted UDP
 * caller that answers the 407 challenge, and baresip.
 */
import { createAuthGuard } from '../../../src/pbx/auth/guard.js';
import { createDigestAuthenticator } from '../../../src/pbx/auth/digest.js';
import { createLockout } from '../../../src/pbx/auth/lockout.js';
import { installCallHandling, type CallHandling } from '../../../src/pbx/invite.js';
import { createCallRouter } from '../../../src/pbx/rules/plan.js';
import type { ForwardingRules } from '../../../src/pbx/types.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { createUdpPeer, delay, headerOf, type Teardownable } from '../srf.js';
import { startSipp, type SippRun } from '../sip/sipp.js';
import { authorization, startPbxStack, REALM, type PbxStack } from './stack.js';
import { registerForHandoff } from './register-client.js';
import type { MediaEngine } from '../../../src/media/index.js';
import type { MediaDestinations } from '../../../src/pbx/call/destinations.js';
import { createMwi, type Mwi } from '../../../src/pbx/mwi/index.js';
import type { VoicemailCallConfig } from '../../../src/pbx/voicemail/call-config.js';
import { createVoicemailCalls, type VoicemailCalls } from '../../../src/pbx/voicemail/calls.js';
import { createVoicemailStore } from '../../../src/pbx/voicemail/store.js';

export const password = (ext: string): string => `secret-${ext}`;

export interface CallStack {
  stack: PbxStack;
  calls: CallHandling;
  sipPort: number;
  /** Registers `ext` from a fresh port, then runs the SIPp UAS `scenario` on that port. */
  sippPhone(t: Teardownable, ext: string, scenario: string, keys?: Record<string, string>): Promise<SippRun>;
  setForwarding(ext: string, rules: ForwardingRules): void;
  /** Waits (bounded) until no call legs are up. */
  settled(ms?: number): Promise<number>;
  /** Present when the stack was started with `voicemail`. */
  voicemail?: VoicemailCalls;
  mwi?: Mwi;
}

export interface CallStackOptions {
  extensions: string[];
  /** ms per configured ring second; 200 turns the 5 s minimum no-answer time into 1 s. */
  ringSecondMs?: number;
  defaultRingTimeoutS?: number;
  logger?: Logger;
  /** Voicemail calls, listening by phone (accessNumber, default "*97") and MWI on the calls app. */
  voicemail?: { engine: MediaEngine; config: VoicemailCallConfig; accessNumber?: string };
}

export async function startCallStack(t: Teardownable, opts: CallStackOptions): Promise<CallStack> {
  const logger = opts.logger ?? silentLogger();
  const stack = await startPbxStack(t, {
    extensions: opts.extensions.map((number) => ({ number, password: password(number) })),
    logger,
  });
  const vm = opts.voicemail;
  const directory = vm === undefined ? stack.pbx.directory
    : { ...stack.pbx.directory, isMailbox: (box: string) => stack.repos.mailboxes.get(box) !== undefined };
  const router = createCallRouter({
    forwarding: stack.pbx.forwarding,
    schedules: stack.pbx.schedules,
    directory,
    clock: stack.now,
    defaultRingTimeoutS: opts.defaultRingTimeoutS ?? 10,
    ...(vm === undefined ? {} : { available: { voicemail: true, queues: false } }),
  });
  const guard = createAuthGuard({
    digest: createDigestAuthenticator({ realm: REALM, nonceTtlMs: 300_000, clock: stack.now }),
    lockout: createLockout({ maxFailures: 50, windowMs: 60_000, blockMs: 60_000, maxTracked: 100, clock: stack.now, logger }),
    logger,
  });
  let calls!: CallHandling;
  let voicemail: VoicemailCalls | undefined;
  let mwi: Mwi | undefined;
  await stack.sut.connectApp((app) => {
    const destinations: MediaDestinations = {};
    let access: { number: string; destination: VoicemailCalls['listen'] } | undefined;
    if (vm !== undefined) {
      const mwiNow = createMwi({
        srf: app, findContacts: (ext) => stack.pbx.findContacts(ext), guard, extensions: stack.repos.extensions,
        mailboxes: stack.repos.mailboxes, counts: (box) => stack.repos.voicemailMessages.counts(box), host: REALM, logger,
      });
      mwi = mwiNow;
      const store = createVoicemailStore({ repos: stack.repos, dataDir: stack.dataDir, logger, onDeposit: (m) => mwiNow.changed(m.box) });
      voicemail = createVoicemailCalls({
        srf: app, engine: vm.engine, repos: stack.repos, store, dataDir: stack.dataDir, config: vm.config, logger,
        onChange: (box) => mwiNow.changed(box),
      });
      destinations.voicemail = voicemail.deposit;
      access = { number: vm.accessNumber ?? '*97', destination: voicemail.listen };
    }
    calls = installCallHandling({
      ...(vm === undefined ? {} : { destinations }),
      ...(access === undefined ? {} : { voicemailAccess: access }),
      srf: app, router, guard, logger,
      findContacts: (ext) => stack.pbx.findContacts(ext),
      extensions: stack.repos.extensions,
      forwarding: stack.pbx.forwarding,
      directory,
      cdr: stack.repos.cdr,
      config: { ringSecondMs: opts.ringSecondMs ?? 200 },
    });
  });
  const sipPort = stack.sut.sipPort;
  if (mwi !== undefined) t.teardown(() => mwi!.stop());
  return {
    stack, calls, sipPort,
    ...(voicemail === undefined ? {} : { voicemail }),
    ...(mwi === undefined ? {} : { mwi }),
    async sippPhone(t, ext, scenario, keys = {}) {
      const port = await registerForHandoff(t, sipPort, ext, password(ext));
      return startSipp({ scenario, localPort: port, keys, timeoutMs: 20_000, teardown: (fn) => t.teardown(fn) });
    },
    setForwarding: (ext, rules) => stack.pbx.forwarding.setForwarding(ext, rules),
    async settled(ms = 5000) {
      const deadline = Date.now() + ms;
      while (calls.activeLegs() > 0 && Date.now() < deadline) await delay(50);
      return calls.activeLegs();
    },
  };
}

export interface ScriptedCall {
  status: number;
  text: string;
  header(name: string): string | undefined;
}

/**
 * A scripted extension placing one INVITE through the PBX (answering the 407) and reporting
 * the final response; non-2xx finals are ACKed. For rejections and star codes.
 */
export async function scriptedInvite(t: Teardownable, sipPort: number, from: string, dialled: string,
  opts: { password?: string; displayName?: string; ms?: number } = {}): Promise<ScriptedCall> {
  const peer = await createUdpPeer(t, sipPort);
  const callId = `call-${Math.random().toString(36).slice(2)}`;
  const uri = `sip:${dialled}@127.0.0.1:${sipPort}`;
  const sdp = ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${peer.port + 2} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
  const send = (cseq: number, extra: string[]): string => {
    const branch = `z9hG4bK${callId}-${cseq}`;
    peer.send([
      `INVITE ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:{local};branch=${branch};rport`,
      `From: "${opts.displayName ?? `Ext ${from}`}" <sip:${from}@127.0.0.1>;tag=f${callId}`,
      `To: <${uri}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:${from}@127.0.0.1:{local}>`,
      'Max-Forwards: 70',
      ...extra,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '', sdp,
    ].join('\r\n'));
    return branch;
  };
  const ack = (text: string, cseq: number, branch: string) => peer.send([
    `ACK ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:{local};branch=${branch};rport`,
    `From: "${opts.displayName ?? `Ext ${from}`}" <sip:${from}@127.0.0.1>;tag=f${callId}`,
    `To: ${headerOf(text, 'To')}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ACK`,
    'Max-Forwards: 70',
    'Content-Length: 0', '', '',
  ].join('\r\n'));
  const finalFor = (branch: string) => peer.next(new RegExp(`^SIP/2\\.0 [2-6]\\d\\d[\\s\\S]*branch=${branch}`), opts.ms ?? 8000);

  const first = send(1, []);
  let text = await finalFor(first);
  if (text.startsWith('SIP/2.0 407')) {
    ack(text, 1, first);
    const auth = authorization({
      user: from, password: opts.password ?? password(from), uri, method: 'INVITE',
      challenge: headerOf(text, 'Proxy-Authenticate')!,
    });
    const second = send(2, [`Proxy-Authorization: ${auth}`]);
    text = await finalFor(second);
    if (!text.startsWith('SIP/2.0 2')) ack(text, 2, second);
  }
  return { status: Number(text.slice(8, 11)), text, header: (name) => headerOf(text, name) };
}
