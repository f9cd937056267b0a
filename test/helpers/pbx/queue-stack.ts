/**
 * Test helper: the call stack (calls.ts style: embedded SIP server, registrar PBX, call
 * handling on a second drachtio-srf app) with the queue service installed as the `queue` media
 * destination, a real media engine on 127.0.0.1, and every queue event recorded.
 */
import { createAuthGuard } from '../../../src/pbx/auth/guard.js';
import { createDigestAuthenticator } from '../../../src/pbx/auth/digest.js';
import { createLockout } from '../../../src/pbx/auth/lockout.js';
import { installCallHandling, type CallHandling } from '../../../src/pbx/invite.js';
import { createCallRouter } from '../../../src/pbx/rules/plan.js';
import { createDirectory } from '../../../src/pbx/stores.js';
import type { MediaDestination } from '../../../src/pbx/call/destinations.js';
import { createMediaEngine, type MediaEngine } from '../../../src/media/index.js';
import { createQueueService, type QueueEvent, type QueueService, type QueueTiming } from '../../../src/pbx/queue/index.js';
import type { NewQueue } from '../../../src/data/queue-types.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { delay, type Teardownable } from '../srf.js';
import { startSipp, type SippRun } from '../sip/sipp.js';
import { startPbxStack, REALM, type PbxStack } from './stack.js';
import { registerForHandoff } from './register-client.js';
import { password } from './calls.js';
import { randomPortRange } from '../ports.js';
import type { VoicemailCallConfig } from '../../../src/pbx/voicemail/call-config.js';
import { createVoicemailCalls, type VoicemailCalls } from '../../../src/pbx/voicemail/calls.js';
import { createVoicemailStore } from '../../../src/pbx/voicemail/store.js';


export interface QueueStack {
  stack: PbxStack;
  calls: CallHandling;
  engine: MediaEngine;
  queues: QueueService;
  /** The real voicemail calls, when started with `realVoicemail`. */
  voicemailCalls?: VoicemailCalls;
  sipPort: number;
  events: QueueEvent[];
  /** First recorded event matching `predicate` (past ones too), within `ms`. */
  waitEvent<K extends QueueEvent['kind']>(kind: K, ms?: number, predicate?: (e: Extract<QueueEvent, { kind: K }>) => boolean): Promise<Extract<QueueEvent, { kind: K }>>;
  sippPhone(t: Teardownable, ext: string, scenario: string, keys?: Record<string, string>): Promise<SippRun>;
  /** Waits (bounded) until no call legs are up and nobody waits. */
  settled(ms?: number): Promise<{ legs: number; waiting: number; endpoints: number; ports: number }>;
}

export interface QueueStackOptions {
  extensions: string[];
  queues: NewQueue[];
  voicemail?: MediaDestination;
  /** The real voicemail deposit as the overflow destination (wins over `voicemail`); `watch` may wrap it to see what it is given. */
  realVoicemail?: { config: VoicemailCallConfig; watch?: (deposit: MediaDestination) => MediaDestination };
  timing?: QueueTiming;
  logger?: Logger;
}

export async function startQueueStack(t: Teardownable, opts: QueueStackOptions): Promise<QueueStack> {
  const logger = opts.logger ?? silentLogger();
  const stack = await startPbxStack(t, { extensions: opts.extensions.map((number) => ({ number, password: password(number) })), logger });
  for (const box of new Set(opts.queues.map((q) => (typeof q.overflow === 'string' ? /^(?:voicemail:)?(\d+)$/.exec(q.overflow)?.[1] : undefined)))) {
    if (box !== undefined && stack.repos.extensions.get(box) === undefined) stack.repos.mailboxes.add({ box, name: `Box ${box}` });
  }
  for (const q of opts.queues) stack.repos.queues.add(q);
  const directory = createDirectory({ extensions: stack.repos.extensions, queues: stack.repos.queues });
  const router = createCallRouter({
    forwarding: stack.pbx.forwarding, schedules: stack.pbx.schedules, directory, clock: stack.now,
    defaultRingTimeoutS: 10, available: { voicemail: false, queues: true },
  });
  const guard = createAuthGuard({
    digest: createDigestAuthenticator({ realm: REALM, nonceTtlMs: 300_000, clock: stack.now }),
    lockout: createLockout({ maxFailures: 50, windowMs: 60_000, blockMs: 60_000, maxTracked: 100, clock: stack.now, logger }),
    logger,
  });
  const engine = createMediaEngine({ host: '127.0.0.1', portRange: randomPortRange(201), logger });
  t.teardown(() => engine.close());
  const events: QueueEvent[] = [];
  const wakers = new Set<() => void>();
  let calls!: CallHandling;
  let queues!: QueueService;
  let voicemailCalls: VoicemailCalls | undefined;
  await stack.sut.connectApp((app) => {
    let voicemail = opts.voicemail;
    if (opts.realVoicemail !== undefined) {
      const store = createVoicemailStore({ repos: stack.repos, dataDir: stack.dataDir, logger });
      voicemailCalls = createVoicemailCalls({
        srf: app, engine, repos: stack.repos, store, dataDir: stack.dataDir, config: opts.realVoicemail.config, logger,
      });
      voicemail = opts.realVoicemail.watch?.(voicemailCalls.deposit) ?? voicemailCalls.deposit;
    }
    queues = createQueueService({
      srf: app, engine, queues: stack.repos.queues, logger,
      findContacts: (ext) => stack.pbx.findContacts(ext),
      ...(voicemail ? { voicemail } : {}),
      timing: opts.timing ?? { secondMs: 100, retryMs: 100 },
      onEvent: (e) => { events.push(e); for (const wake of [...wakers]) wake(); },
    });
    calls = installCallHandling({
      srf: app, router, guard, logger, directory,
      findContacts: (ext) => stack.pbx.findContacts(ext),
      extensions: stack.repos.extensions,
      forwarding: stack.pbx.forwarding,
      cdr: stack.repos.cdr,
      config: { ringSecondMs: 100 },
      destinations: { queue: queues.destination, replace: queues.replace },
    });
  });
  t.teardown(() => queues.stop());
  const sipPort = stack.sut.sipPort;
  return {
    stack, calls, engine, queues, sipPort, events,
    ...(voicemailCalls ? { voicemailCalls } : {}),
    waitEvent(kind, ms = 10_000, predicate = () => true) {
      type E = Extract<QueueEvent, { kind: typeof kind }>;
      return new Promise<E>((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find((e): e is E => e.kind === kind && predicate(e as E));
          if (found === undefined) return false;
          wakers.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          wakers.delete(check);
          reject(new Error(`no queue event ${kind} within ${ms} ms; saw ${events.map((e) => e.kind).join(', ') || 'none'}`));
        }, ms);
        if (!check()) wakers.add(check);
      });
    },
    async sippPhone(t, ext, scenario, keys = {}) {
      const port = await registerForHandoff(t, sipPort, ext, password(ext));
      return startSipp({ scenario, localPort: port, keys, timeoutMs: 20_000, teardown: (fn) => t.teardown(fn) });
    },
    async settled(ms = 5000) {
      const deadline = Date.now() + ms;
      const look = () => {
        const s = engine.stats();
        return { legs: calls.activeLegs(), waiting: queues.waitingCount(), endpoints: s.openEndpoints, ports: s.portsInUse };
      };
      while (Date.now() < deadline) {
        const now = look();
        if (now.legs === 0 && now.waiting === 0 && now.endpoints === 0 && now.ports === 0) return now;
        await delay(50);
      }
      return look();
    },
  };
}
