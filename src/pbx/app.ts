/**
 * The PBX composition: one drachtio-srf app with the registrar and OPTIONS keep-alives, plus
 * the rule stores later call routing reads. Built from typed deps; nothing listens here (the
 * srf connection belongs to the caller).
 */
import type { Logger } from '../log.js';
import type { Repositories } from '../data/types.js';
import { resolvePbxConfig, type PbxConfig, type PbxConfigInput } from './config.js';
import { createRegistrar, type FindContacts } from './registrar/index.js';
import type { AuthGuard } from './auth/guard.js';
import type { PbxSrf } from './srf-types.js';
import { createDirectory, createForwardingStore, createScheduleStore, type EntryNumberStore } from './stores.js';
import type { DirectoryLookup, ForwardingStore } from './types.js';

export interface PbxDeps {
  srf: PbxSrf;
  repos: Pick<Repositories, 'extensions' | 'registrations' | 'forwarding' | 'entryNumbers' | 'transaction'>
    & Partial<Pick<Repositories, 'queues' | 'mailboxes'>>;
  config: {
    publicHost: string;
    sip: { domain: string | null };
    /** Defaults from DEFAULT_PBX_CONFIG for anything left out. */
    pbx?: PbxConfigInput;
  };
  logger: Logger;
  /** Epoch milliseconds; tests move it to expire bindings and nonces. */
  clock?: () => number;
}

export interface Pbx {
  config: PbxConfig;
  realm: string;
  findContacts: FindContacts;
  guard: AuthGuard;
  forwarding: ForwardingStore;
  schedules: EntryNumberStore;
  directory: DirectoryLookup;
  /** Deletes expired registrations now (the periodic sweep does it too). */
  sweepRegistrations(): number;
  stop(): void;
}

/** Digest realm: explicit pbx.realm, else the SIP domain, else the public host. */
export function realmFor(config: PbxDeps['config'], pbx: PbxConfig): string {
  return pbx.realm ?? config.sip.domain ?? config.publicHost;
}

export function createPbx(deps: PbxDeps): Pbx {
  const config = resolvePbxConfig(deps.config.pbx);
  const clock = deps.clock ?? Date.now;
  const logger = deps.logger.child({ part: 'pbx' });
  const realm = realmFor(deps.config, config);

  const registrar = createRegistrar({ srf: deps.srf, repos: deps.repos, config, realm, logger, clock });
  // Phones keep their NAT mapping open with OPTIONS (NAT_Keep_Alive_Msg $OPTIONS); any 200 will do.
  deps.srf.options((_req, res) => res.send(200, { headers: { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, NOTIFY, REFER' } }));

  logger.info({ realm, minExpiresS: config.minExpiresS, maxExpiresS: config.maxExpiresS }, 'PBX ready');
  let stopped = false;
  return {
    config,
    realm,
    findContacts: registrar.findContacts,
    guard: registrar.guard,
    forwarding: createForwardingStore({ forwarding: deps.repos.forwarding, logger }),
    schedules: createScheduleStore({ entryNumbers: deps.repos.entryNumbers, logger }),
    directory: createDirectory({
      extensions: deps.repos.extensions,
      ...(deps.repos.queues ? { queues: deps.repos.queues } : {}),
      ...(deps.repos.mailboxes ? { mailboxes: deps.repos.mailboxes } : {}),
    }),
    sweepRegistrations: registrar.sweep,
    stop() {
      if (stopped) return;
      stopped = true;
      registrar.stop();
    },
  };
}
