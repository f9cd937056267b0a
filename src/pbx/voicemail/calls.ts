/**
 * Voicemail as call destinations: `deposit` takes calls routed to a mailbox (forwarding,
 * blind transfer), `listen` takes the voicemail access number. Each answers with media
 * (call/media-leg.ts), runs its flow in the background and hangs up when the flow ends; the
 * call handling only waits for "taken" or "refused".
 */
import type { Logger } from '../../log.js';
import type { Mailbox, Repositories } from '../../data/types.js';
import type { MediaEngine } from '../../media/index.js';
import type { DestinationContext, MediaDestination, TakeResult, Arrival } from '../call/destinations.js';
import { answerWithMedia } from '../call/media-leg.js';
import type { CallSrf } from '../call/srf-call-types.js';
import type { Leg } from '../call/switchboard.js';
import type { VoicemailCallConfig } from './call-config.js';
import { runDeposit } from './deposit-call.js';
import { runListen } from './listen-call.js';
import type { VoicemailStore } from './store.js';

export interface VoicemailCallsDeps {
  srf: Pick<CallSrf, 'createUAS'>;
  engine: MediaEngine;
  repos: Pick<Repositories, 'mailboxes' | 'voicemailMessages'>;
  store: Pick<VoicemailStore, 'deposit' | 'pathOf'>;
  dataDir: string;
  config: VoicemailCallConfig;
  logger: Logger;
  /** A mailbox's new/old counts changed by listening (deposits report through the store). */
  onChange?: (box: string) => void;
}

export interface VoicemailCalls {
  deposit: MediaDestination;
  listen: MediaDestination;
  /** Voicemail calls in progress. */
  active(): number;
  /** Resolves when every flow in progress has finished (they end once their legs are gone). */
  idle(): Promise<void>;
}

/** The mailbox an extension listens to: the box of its number, else one naming it as owner. */
export function mailboxOfExtension(repos: Pick<Repositories, 'mailboxes'>, extension: string): Mailbox | undefined {
  return repos.mailboxes.get(extension) ?? repos.mailboxes.list().find((m) => m.extension === extension);
}

export function createVoicemailCalls(deps: VoicemailCallsDeps): VoicemailCalls {
  const running = new Set<Promise<unknown>>();

  function hangUp(leg: Leg, ctx: DestinationContext): void {
    if (!leg.gone) ctx.switchboard.release(leg);
  }

  async function answer(
    arrival: Arrival, ctx: DestinationContext, mailbox: Mailbox, endsAs: 'voicemail' | 'answered',
    flow: (leg: Leg, endpoint: Parameters<typeof runDeposit>[0]) => Promise<unknown>,
  ): Promise<TakeResult> {
    const up = await answerWithMedia(arrival, {
      srf: deps.srf, engine: deps.engine, switchboard: ctx.switchboard, logger: ctx.logger,
      party: ctx.caller.number, callRecordId: ctx.callRecordId,
    });
    if (up.kind === 'refused') return up;
    ctx.switchboard.outcomes.answered(ctx.callRecordId);
    ctx.switchboard.outcomes.endsAs(ctx.callRecordId, endsAs);
    const run = flow(up.leg, up.endpoint)
      .catch((err: unknown) => ctx.logger.error({ err, box: mailbox.box }, 'voicemail call crashed'))
      .finally(() => {
        hangUp(up.leg, ctx);
        running.delete(run);
      });
    running.add(run);
    return { kind: 'taken' };
  }

  const deposit: MediaDestination = {
    async take(arrival, ctx) {
      if (ctx.step.kind !== 'voicemail') return { kind: 'refused', status: 500, reason: 'not a voicemail step' };
      const mailbox = deps.repos.mailboxes.get(ctx.step.box);
      if (mailbox === undefined) {
        ctx.logger.warn({ box: ctx.step.box, path: ctx.step.path }, `voicemail box ${ctx.step.box} does not exist; the caller gets 480`);
        return { kind: 'refused', status: 480, reason: `voicemail box ${ctx.step.box} does not exist` };
      }
      // 'voicemail' whether or not a message is kept: the caller reached the mailbox, no person.
      return answer(arrival, ctx, mailbox, 'voicemail', (_leg, endpoint) => runDeposit(endpoint, mailbox, ctx.caller, {
        store: deps.store, dataDir: deps.dataDir, config: deps.config, logger: ctx.logger,
      }));
    },
  };

  const listen: MediaDestination = {
    async take(arrival, ctx) {
      const mailbox = mailboxOfExtension(deps.repos, ctx.caller.number);
      if (mailbox === undefined) {
        ctx.logger.info({ extension: ctx.caller.number }, `extension ${ctx.caller.number} has no mailbox to listen to`);
        return { kind: 'refused', status: 404, reason: `extension ${ctx.caller.number} has no mailbox` };
      }
      // The owner listening to their own mailbox is an answered call, not a deposit.
      return answer(arrival, ctx, mailbox, 'answered', (_leg, endpoint) => runListen(endpoint, mailbox, {
        repos: deps.repos, pathOf: deps.store.pathOf, config: deps.config, logger: ctx.logger,
        ...(deps.onChange ? { onChange: deps.onChange } : {}),
      }));
    },
  };

  return {
    deposit,
    listen,
    active: () => running.size,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
