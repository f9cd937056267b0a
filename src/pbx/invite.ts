/**
 * The INVITE entry of the PBX: authenticate the calling extension (407 challenge, the same
 * guard as REGISTER), answer forwarding star codes, otherwise run the call (call/call.ts).
 * In-dialog REFERs on any call leg become transfers (transfer/). Nothing listens here: the
 * srf app is connected by its owner.
 */
import type { Logger } from '../log.js';
import type { CdrRepository } from '../data/types.js';
import type { AuthCheck, AuthDecision } from './auth/guard.js';
import type { FindContacts } from './registrar/contacts.js';
import type { CallRouter } from './rules/plan.js';
import type { DirectoryLookup, ForwardingStore } from './types.js';
import { runCall, runDestinationCall, type Caller } from './call/call.js';
import type { MediaDestination, MediaDestinations } from './call/destinations.js';
import { isVoicemailAccess } from './rules/star-codes.js';
import { createDialler } from './call/dial.js';
import type { Timers } from './call/fork.js';
import { createCallRecorder } from './call/records.js';
import type { CallSrf, IncomingRequest, ResponseSender } from './call/srf-call-types.js';
import { answerStarCode } from './call/star-code-call.js';
import { createSwitchboard, type Switchboard } from './call/switchboard.js';
import { createReferHandler } from './transfer/index.js';

export interface CallHandlingDeps {
  srf: CallSrf;
  router: CallRouter;
  findContacts: FindContacts;
  guard: { check(request: AuthCheck): AuthDecision };
  /** The calling extension's secret and name (ExtensionRepository.get fits). */
  extensions: { get(number: string): { sipPassword: string; displayName: string } | undefined };
  forwarding: ForwardingStore;
  directory: DirectoryLookup;
  cdr: Pick<CdrRepository, 'start' | 'answer' | 'end' | 'addEvent'>;
  logger: Logger;
  config?: {
    /** Milliseconds one configured ring second lasts (default 1000; tests shorten ringing). */
    ringSecondMs?: number;
  };
  timers?: Timers;
  /** Voicemail and queues as call destinations; without them such steps count as unavailable. */
  destinations?: MediaDestinations;
  /** Listening to voicemail by phone: dialling `number` opens the caller's own mailbox. */
  voicemailAccess?: { number: string; destination: MediaDestination };
  /** Queue agents pausing and resuming themselves by star code (*46 / *47). */
  queueAgents?: { pause(extension: string): string[]; resume(extension: string): string[] };
}

export interface CallHandling {
  switchboard: Switchboard;
  /** Call legs currently up (two per connected call). */
  activeLegs(): number;
  activeCalls(): number;
}

/** `sip:102@host;x=y` → "102"; undefined without a user part. */
export function userOfUri(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const match = /sips?:([^@;>?]+)@/i.exec(uri);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

/** The display name in a From header value (`"Anna Nowak" <sip:101@…>`), if any. */
export function displayNameOf(from: string | undefined): string | undefined {
  if (from === undefined) return undefined;
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"\s*</.exec(from);
  if (quoted) return quoted[1]!.replace(/\\(.)/g, '$1') || undefined;
  const bare = /^\s*([^<"]+?)\s*</.exec(from);
  return bare ? bare[1] : undefined;
}

export function installCallHandling(deps: CallHandlingDeps): CallHandling {
  const logger = deps.logger.child({ part: 'calls' });
  const records = createCallRecorder({ cdr: deps.cdr, logger });
  const dialler = createDialler({
    srf: deps.srf, router: deps.router, findContacts: deps.findContacts, logger,
    ringSecondMs: deps.config?.ringSecondMs ?? 1000,
    ...(deps.timers ? { timers: deps.timers } : {}),
  });
  // The switchboard and the REFER handler need each other; the handler is bound after both exist.
  let onRefer: ReturnType<typeof createReferHandler> = (_leg, _req, res) => res.send(503);
  const switchboard = createSwitchboard({
    logger,
    outcomes: records,
    onLegUp: (leg) => records.legUp(leg.callRecordId),
    onLegGone: (leg) => records.legDown(leg.callRecordId),
    onRefer: (leg, req, res) => onRefer(leg, req, res),
  });
  onRefer = createReferHandler({
    switchboard, dialler, logger,
    ...(deps.destinations ? { destinations: deps.destinations } : {}),
    recordEvent: (legs, event) => {
      const ids = new Set(legs.map((l) => l.callRecordId));
      for (const id of ids) records.event(id, { ...event });
    },
  });

  function authenticate(req: IncomingRequest, res: ResponseSender): Caller | undefined {
    const fromUser = userOfUri(req.get('From'));
    const decision = deps.guard.check({
      ip: req.source_address,
      method: 'INVITE',
      proxy: true,
      authorizationHeader: req.get('Proxy-Authorization'),
      requestUri: req.uri,
      password: (username) => deps.extensions.get(username)?.sipPassword,
      ...(fromUser === undefined ? {} : { actingAs: fromUser }),
    });
    if (decision.action === 'challenge') {
      res.send(decision.status, { headers: { [decision.header]: decision.value } });
      return undefined;
    }
    if (decision.action === 'reject') {
      res.send(decision.status, decision.reason.length < 60 ? decision.reason : undefined);
      return undefined;
    }
    const displayName = displayNameOf(req.get('From')) ?? deps.extensions.get(decision.username)?.displayName;
    return { number: decision.username, ...(displayName ? { displayName } : {}) };
  }

  deps.srf.invite((req, res) => {
    const caller = authenticate(req, res);
    if (caller === undefined) return;
    const dialled = userOfUri(req.uri);
    if (dialled === undefined) {
      res.send(404, 'No Number Dialled');
      return;
    }
    const access = deps.voicemailAccess;
    if (access !== undefined && isVoicemailAccess(dialled, access.number)) {
      if (!req.body) {
        res.send(488, 'SDP Offer Required');
        return;
      }
      const step = { kind: 'voicemail' as const, box: caller.number, cause: 'dialled' as const, path: [caller.number] };
      void runDestinationCall({ srf: deps.srf, dialler, switchboard, records, logger }, req, res, caller, dialled, access.destination, step)
        .catch((err) => logger.error({ err, dialled }, 'voicemail access call crashed'));
      return;
    }
    const starCodeDeps = {
      forwarding: deps.forwarding, directory: deps.directory, logger,
      ...(deps.queueAgents ? { queueAgents: deps.queueAgents } : {}),
    };
    if (answerStarCode(starCodeDeps, caller.number, dialled, res)) return;
    if (!req.body) {
      // Late offer (INVITE without SDP) would need a 3pcc dance per leg; the SPA phones always offer.
      logger.info({ caller: caller.number, dialled }, 'INVITE without an SDP offer refused (488)');
      res.send(488, 'SDP Offer Required');
      return;
    }
    void runCall({ srf: deps.srf, dialler, switchboard, records, logger, ...(deps.destinations ? { destinations: deps.destinations } : {}) }, req, res, caller, dialled).catch((err) => {
      logger.error({ err, dialled }, 'call handling crashed');
      if (!res.finalResponseSent) {
        try { res.send(500); } catch { /* the caller's transaction is gone */ }
      }
    });
  });

  return { switchboard, activeLegs: switchboard.activeLegs, activeCalls: switchboard.activeCalls };
}
