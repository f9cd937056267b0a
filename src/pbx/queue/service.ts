/**
 * Call queues. A caller reaching a queue is answered with the PBX's own media (music on hold,
 * position announcements) and becomes one small WaitingCaller object; the queue rings its
 * agents by strategy whenever one is free; the first agent to answer is joined to the caller
 * (the caller's leg is re-INVITEd with the agent's SDP, the agent was offered the caller's, so
 * audio flows phone to phone) and the queue's endpoint is closed. After the maximum wait, or at
 * once when no agent can take calls, the caller goes to the overflow destination.
 */
import type { EventEmitter } from 'node:events';
import type { Queue } from '../../data/queue-types.js';
import type { CallDisposition } from '../../data/types.js';
import type { MediaEndpoint } from '../../media/index.js';
import type { Arrival, DestinationContext, TakeResult } from '../call/destinations.js';
import { realTimers } from '../call/fork.js';
import { answerWithMedia } from '../call/media-leg.js';
import { asTwoWayOffer } from '../call/sdp.js';
import type { SrfDialog } from '../call/srf-call-types.js';
import type { Leg } from '../call/switchboard.js';
import { createAgentBoard } from './agents.js';
import { overflowArrival, overflowWaiting, type OverflowScope } from './overflow.js';
import { defaultPromptsDir, holdPrompts, startHoldMusic } from './hold-music.js';
import { ringAgents } from './ring-agents.js';
import { pickAgents } from './strategy.js';
import type { QueueEvent, QueueLiveState, QueueService, QueueServiceDeps } from './types.js';
import type { WaitingCaller } from './waiting-caller.js';

/** Digits remembered per waiting caller (for logs and the live view). */
const MAX_DIGITS = 32;

export function createQueueService(deps: QueueServiceDeps): QueueService {
  const logger = deps.logger.child({ part: 'queues' });
  const timers = deps.timers ?? realTimers;
  const now = deps.clock ?? Date.now;
  const secondMs = deps.timing?.secondMs ?? 1000;
  const retryMs = deps.timing?.retryMs ?? 1000;
  const promptsDir = deps.promptsDir ?? defaultPromptsDir();
  const waiting = new Map<string, WaitingCaller[]>();
  const lastOffered = new Map<string, string>();
  let retryTimer: unknown = null;
  let stopped = false;

  const emit = (event: QueueEvent): void => {
    try {
      deps.onEvent?.(event);
    } catch (err) {
      logger.debug({ err }, 'queue event listener failed');
    }
  };

  const agents = createAgentBoard({
    queues: deps.queues, findContacts: deps.findContacts, now, secondMs, logger,
    ...(deps.isBusy ? { isBusy: deps.isBusy } : {}),
    onFree: (queue, agent) => {
      emit({ kind: 'agent-free', queue, agent });
      // Without wrap-up the next caller may ring this agent at once; otherwise the retry tick does it.
      if (deps.queues.get(queue)?.wrapUpS === 0) dispatch(queue);
    },
  });

  const all = (): WaitingCaller[] => [...waiting.values()].flat();
  const listOf = (queue: string): WaitingCaller[] => {
    let list = waiting.get(queue);
    if (list === undefined) waiting.set(queue, (list = []));
    return list;
  };
  const remove = (w: WaitingCaller): void => {
    const list = waiting.get(w.queue);
    if (list === undefined) return;
    const i = list.indexOf(w);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) waiting.delete(w.queue);
  };
  const clearTimers = (w: WaitingCaller): void => {
    for (const handle of w.timers) timers.clearTimeout(handle);
    w.timers = [];
  };

  /** One retry tick while anyone waits: picks up agents that registered, resumed or finished wrap-up. */
  function armRetry(): void {
    if (retryTimer !== null || stopped || all().length === 0) return;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      agents.refresh();
      for (const queue of [...waiting.keys()]) dispatch(queue);
      armRetry();
    }, retryMs);
  }

  /** The queue's endpoint goes; the caller's leg stays (now talking to an agent, or handed on). */
  function dropQueueMedia(w: WaitingCaller): void {
    w.music.stop();
    if (w.leg.media !== undefined) delete w.leg.media;
    // media-leg.ts hangs the leg up when its endpoint closes; this close is ours and must not.
    const emitter = w.endpoint as unknown as EventEmitter;
    emitter.removeAllListeners('close');
    emitter.removeAllListeners('rtp-timeout');
    emitter.removeAllListeners('dtmf');
    void w.endpoint.close();
  }

  /** The PBX ends a queued call (not the caller): 'failed' unless the reason says otherwise. */
  function hangUp(w: WaitingCaller, why: string, disposition: CallDisposition = 'failed'): void {
    w.ctx.switchboard.outcomes.endsAs(w.ctx.callRecordId, disposition);
    logger.info({ queue: w.queue, caller: w.ctx.caller.number }, `queue ${w.queue}: hanging up ${w.ctx.caller.number}: ${why}`);
    w.phase = 'leaving';
    clearTimers(w);
    w.ringing?.abort();
    remove(w);
    if (!w.leg.gone) w.ctx.switchboard.release(w.leg);
    void w.endpoint.close();
  }

  /** The caller hung up (BYE, RTP timeout, their leg released): nothing of the call may stay behind. */
  function abandoned(w: WaitingCaller, leg: Leg): void {
    if (w.leg !== leg || w.phase === 'leaving') {
      if (w.leg === leg) w.hangup.abort();
      return;
    }
    w.phase = 'leaving';
    w.hangup.abort();
    w.ringing?.abort();
    clearTimers(w);
    w.music.stop();
    remove(w);
    void w.endpoint.close();
    const waitedMs = now() - w.since;
    logger.info({ queue: w.queue, caller: w.ctx.caller.number, waitedMs }, `queue ${w.queue}: ${w.ctx.caller.number} hung up after ${Math.round(waitedMs / 1000)} s`);
    emit({ kind: 'abandoned', queue: w.queue, caller: w.ctx.caller.number, waitedMs });
  }

  function watchCaller(w: WaitingCaller, leg: Leg, endpoint: MediaEndpoint): void {
    endpoint.once('close', () => abandoned(w, leg));
    leg.dialog.on('destroy', () => abandoned(w, leg));
    endpoint.on('dtmf', (digit) => {
      if (w.leg !== leg || w.phase === 'leaving') return;
      if (w.digits.length < MAX_DIGITS) w.digits += digit;
      logger.info({ queue: w.queue, caller: w.ctx.caller.number, digit }, `queue ${w.queue}: ${w.ctx.caller.number} pressed ${digit}`);
      emit({ kind: 'dtmf', queue: w.queue, caller: w.ctx.caller.number, digit });
    });
  }

  function armQueueTimers(w: WaitingCaller, q: Queue): void {
    clearTimers(w);
    w.timers.push(timers.setTimeout(() => { void overflowWaiting(scope, w, q, 'max-wait'); }, q.maxWaitS * secondMs));
    if (q.announcePositionS !== null) {
      const every = q.announcePositionS * secondMs;
      const announce = (): void => {
        if (w.phase === 'leaving') return;
        const position = (waiting.get(w.queue) ?? []).indexOf(w) + 1;
        if (position > 0) {
          w.music.announcePosition(position);
          emit({ kind: 'announced', queue: w.queue, caller: w.ctx.caller.number, position });
        }
        w.timers.push(timers.setTimeout(announce, every));
      };
      w.timers.push(timers.setTimeout(announce, every));
    }
  }

  /** Puts an answered caller into `q` (a new call, or one overflowing from another queue). */
  function enter(w: WaitingCaller, q: Queue): void {
    w.queue = q.number;
    w.visited.push(q.number);
    w.enteredQueueAt = now();
    w.tried.clear();
    w.nextRingAt = 0;
    if (!agents.anyoneCanTake(q)) {
      void overflowWaiting(scope, w, q, 'no-agents');
      return;
    }
    w.phase = 'waiting';
    listOf(q.number).push(w);
    const position = listOf(q.number).length;
    logger.info({ queue: q.number, caller: w.ctx.caller.number, position }, `queue ${q.number}: ${w.ctx.caller.number} waits (position ${position})`);
    emit({ kind: 'joined', queue: q.number, caller: w.ctx.caller.number, position });
    armQueueTimers(w, q);
    armRetry();
    dispatch(q.number);
  }

  /** Rings free agents for the callers of `queue`, first come first served. */
  function dispatch(queueNumber: string): void {
    if (stopped) return;
    const list = waiting.get(queueNumber);
    if (list === undefined || list.length === 0) return;
    const q = deps.queues.get(queueNumber);
    if (q === undefined) {
      for (const w of [...list]) hangUp(w, `queue ${queueNumber} was removed`);
      return;
    }
    for (const w of [...list]) {
      if (w.phase !== 'waiting' || w.nextRingAt > now()) continue;
      const picked = pickAgents(q.strategy, agents.candidates(q), { tried: w.tried, ...(lastOffered.has(q.number) ? { lastOffered: lastOffered.get(q.number)! } : {}) });
      if (picked.length === 0) break;
      void ring(w, q, picked);
    }
  }

  async function ring(w: WaitingCaller, q: Queue, picked: string[]): Promise<void> {
    w.phase = 'ringing';
    const controller = new AbortController();
    w.ringing = controller;
    agents.ringing(picked, 1);
    if (q.strategy !== 'ring-all') {
      lastOffered.set(q.number, picked[picked.length - 1]!);
      for (const a of picked) w.tried.add(a);
    }
    const leg = w.leg;
    emit({ kind: 'ringing', queue: q.number, caller: w.ctx.caller.number, agents: picked });
    logger.info({ queue: q.number, caller: w.ctx.caller.number, agents: picked }, `queue ${q.number}: ringing ${picked.join(', ')} for ${w.ctx.caller.number}`);
    const answer = await ringAgents({ srf: deps.srf, findContacts: deps.findContacts, logger, timers }, {
      agents: picked,
      sdp: asTwoWayOffer(leg.dialog.remote.sdp),
      caller: w.ctx.caller,
      timeoutMs: q.ringTimeoutS * secondMs,
      signal: controller.signal,
      onOutcome: (agent, result) => emit({ kind: 'agent-outcome', queue: q.number, caller: w.ctx.caller.number, agent, outcome: result.kind }),
    });
    agents.ringing(picked, -1);
    // Only the caller's current attempt may act: an overflow to another queue or a replace
    // may already have started a new one.
    const current = w.ringing === controller && w.queue === q.number;
    if (current) w.ringing = null;
    if (answer !== null) {
      if (current && w.phase === 'ringing' && w.leg === leg && !leg.gone && leg.dialog.connected) {
        await connect(w, answer.dialog, answer.agent, q.number);
        return;
      }
      void answer.dialog.destroy().catch(() => undefined);
    }
    if (current && w.phase === 'ringing') {
      w.phase = 'waiting';
      // Everyone free has been tried this round: wait a little before ringing them again.
      const untried = agents.candidates(q).some((c) => c.available && !w.tried.has(c.extension));
      if (!untried || q.strategy === 'ring-all') {
        w.tried.clear();
        w.nextRingAt = now() + retryMs;
      }
    }
    dispatch(q.number);
  }

  /** Joins the caller and whoever answered (an agent, or the overflow extension). */
  async function connect(w: WaitingCaller, dialog: SrfDialog, party: string, agentOf: string | null): Promise<void> {
    w.phase = 'leaving';
    clearTimers(w);
    remove(w);
    w.music.stop();
    const { switchboard } = w.ctx;
    // A person took the call now: answered_at is this moment, not when the queue's music answered.
    switchboard.outcomes.answered(w.ctx.callRecordId);
    switchboard.outcomes.endsAs(w.ctx.callRecordId, 'answered');
    const other = switchboard.attach(dialog, party, w.ctx.callRecordId);
    switchboard.connect(w.leg, other);
    if (agentOf !== null) agents.callStarted(agentOf, party, other, w.leg);
    const log = logger.child({ queue: w.queue, caller: w.ctx.caller.number, agent: party });
    try {
      await w.leg.dialog.modify(dialog.remote.sdp);
    } catch (err) {
      log.warn({ err: (err as Error).message }, `re-INVITE of ${w.ctx.caller.number} towards ${party} failed; the audio may be one-way`);
    }
    dropQueueMedia(w);
    log.info(`queue ${w.queue}: ${w.ctx.caller.number} ↔ ${party} connected after ${Math.round((now() - w.since) / 1000)} s`);
    emit({ kind: 'connected', queue: w.queue, caller: w.ctx.caller.number, agent: party });
    dispatch(w.queue);
  }

  async function takeInto(arrival: Arrival, ctx: DestinationContext, visited: string[]): Promise<TakeResult> {
    if (stopped) return { kind: 'refused', status: 503, reason: 'queues are shutting down' };
    if (ctx.step.kind !== 'queue') return { kind: 'refused', status: 500, reason: 'not a queue step' };
    const q = deps.queues.get(ctx.step.number);
    if (q === undefined) return { kind: 'refused', status: 404, reason: `queue ${ctx.step.number} does not exist` };
    if (!agents.anyoneCanTake(q)) {
      const handed = await overflowArrival(scope, arrival, ctx, q, [...visited, q.number]);
      if (handed !== null) return handed;
    }
    const up = await answerWithMedia(arrival, {
      srf: deps.srf, engine: deps.engine, switchboard: ctx.switchboard, logger: ctx.logger,
      party: ctx.caller.number, callRecordId: ctx.callRecordId,
    });
    if (up.kind === 'refused') return up;
    // Until an agent (or overflow) takes it, the caller hanging up is an abandoned call.
    ctx.switchboard.outcomes.endsAs(ctx.callRecordId, 'abandoned');
    const w: WaitingCaller = {
      queue: q.number, visited: [...visited], ctx, leg: up.leg, endpoint: up.endpoint,
      music: startHoldMusic(up.endpoint, holdPrompts(promptsDir, q.language), { intro: true }),
      since: now(), enteredQueueAt: now(), phase: 'waiting', ringing: null, hangup: new AbortController(),
      tried: new Set(), nextRingAt: 0, timers: [], digits: '',
    };
    watchCaller(w, up.leg, up.endpoint);
    if (stopped) hangUp(w, 'queues are shutting down');
    else enter(w, q);
    return { kind: 'taken' };
  }

  const scope: OverflowScope = {
    logger, queues: deps.queues, voicemail: deps.voicemail, emit, clearTimers, remove, dispatch, hangUp, enter, dropQueueMedia, connect, takeInto,
  };

  async function replace(callId: string, tags: string[], newcomer: Leg): Promise<boolean> {
    const w = all().find((c) => {
      const sip = c.leg.dialog.sip;
      return c.phase !== 'leaving' && sip.callId === callId && (tags.includes(sip.localTag) || tags.includes(sip.remoteTag));
    });
    if (w === undefined) return false;
    const up = await answerWithMedia({ kind: 'leg', leg: newcomer }, {
      srf: deps.srf, engine: deps.engine, switchboard: w.ctx.switchboard, logger,
      party: newcomer.party, callRecordId: newcomer.callRecordId,
    });
    if (up.kind === 'refused') return false;
    if (w.phase === 'leaving') {
      // The waiting call ended meanwhile: the newcomer has nowhere to go.
      w.ctx.switchboard.release(up.leg);
      return false;
    }
    const old = { leg: w.leg, music: w.music, by: w.ctx.caller.number, callRecordId: w.ctx.callRecordId };
    // The wait goes on under the newcomer's record. The transferor left its own call into the
    // queue before an agent answered, on purpose: 'cancelled', not a lost caller ('abandoned').
    w.ctx.switchboard.outcomes.endsAs(old.callRecordId, 'cancelled');
    w.ctx.switchboard.outcomes.endsAs(newcomer.callRecordId, 'abandoned');
    w.ringing?.abort();
    w.leg = up.leg;
    w.endpoint = up.endpoint;
    w.ctx = { ...w.ctx, caller: { number: newcomer.party }, callRecordId: newcomer.callRecordId };
    w.music = startHoldMusic(up.endpoint, holdPrompts(promptsDir, deps.queues.get(w.queue)?.language ?? 'pl'), { intro: false });
    w.tried.clear();
    watchCaller(w, up.leg, up.endpoint);
    old.music.stop();
    if (!old.leg.gone) w.ctx.switchboard.release(old.leg);
    logger.info({ queue: w.queue }, `queue ${w.queue}: ${newcomer.party} takes ${old.by}'s place (attended transfer)`);
    emit({ kind: 'replaced', queue: w.queue, caller: newcomer.party, by: old.by });
    if (w.phase === 'waiting') dispatch(w.queue);
    return true;
  }

  function liveState(): QueueLiveState[] {
    agents.refresh();
    const at = now();
    return deps.queues.list().map((q) => {
      const list = waiting.get(q.number) ?? [];
      const longestWaitMs = list.reduce((m, w) => Math.max(m, at - w.since), 0);
      return {
        number: q.number, name: q.name, strategy: q.strategy, longestWaitMs, longestWaitS: Math.floor(longestWaitMs / 1000),
        waiting: list.map((w) => ({
          caller: w.ctx.caller.number, ...(w.ctx.caller.displayName ? { displayName: w.ctx.caller.displayName } : {}),
          since: w.since, waitedMs: at - w.since, ringing: w.phase === 'ringing',
        })),
        agents: q.members.map((m) => ({ extension: m.extension, state: agents.state(q, m), callsTaken: m.callsTaken, lastCallEndedAt: m.lastCallEndedAt })),
      };
    });
  }

  function setPaused(extension: string, paused: boolean, queue?: string): string[] {
    const changed = deps.queues.setPaused(extension, paused, queue);
    logger.info({ extension, queues: changed }, `agent ${extension} ${paused ? 'paused' : 'resumed'} in ${changed.length === 0 ? 'no queue' : `queue(s) ${changed.join(', ')}`}`);
    if (!paused) for (const q of changed) dispatch(q);
    return changed;
  }

  return {
    destination: { take: (arrival, ctx) => takeInto(arrival, ctx, []) },
    replace,
    liveState,
    pause: (extension, queue) => setPaused(extension, true, queue),
    resume: (extension, queue) => setPaused(extension, false, queue),
    waitingCount: () => all().length,
    stop() {
      if (stopped) return;
      stopped = true;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
      for (const w of all()) hangUp(w, 'the PBX is stopping');
    },
  };
}
