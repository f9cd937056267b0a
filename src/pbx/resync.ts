/**
 * Device resync over SIP: a NOTIFY with `Event: check-sync` (SPA phones; some firmware also
 * know `Event: resync`) makes a registered device re-fetch its profile. It goes to every live
 * contact of the device's line extensions, via the address each REGISTER came from (NAT).
 * Used by `hookflash device resync`, which runs its own short-lived drachtio-srf app.
 */
import type { Logger } from '../log.js';
import type { FindContacts, ReachableContact } from './registrar/contacts.js';
import type { RequestingSrf } from './srf-types.js';

export type ResyncEvent = 'check-sync' | 'resync';

export interface ResyncOutcome {
  extension: string;
  contact: string;
  /** Final status the device answered, or null when it did not answer in time / could not be reached. */
  status: number | null;
  error?: string;
}

export interface ResyncDeps {
  srf: RequestingSrf;
  findContacts: FindContacts;
  logger: Logger;
  /** How long to wait for each device's final response. */
  timeoutMs?: number;
  event?: ResyncEvent;
}

/** Live contacts of the lines, each contact once (a softphone may register several lines). */
export function resyncTargets(lines: readonly string[], findContacts: FindContacts): ReachableContact[] {
  const seen = new Set<string>();
  const targets: ReachableContact[] = [];
  for (const line of lines) {
    for (const contact of findContacts(line)) {
      const key = `${contact.uri}|${contact.proxy}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push(contact);
    }
  }
  return targets;
}

function notifyOne(deps: ResyncDeps, target: ReachableContact): Promise<ResyncOutcome> {
  const base = { extension: target.extension, contact: target.uri };
  const timeoutMs = deps.timeoutMs ?? 5000;
  return new Promise<ResyncOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: ResyncOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ...base, status: null, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    deps.srf.request(target.uri, {
      method: 'NOTIFY',
      headers: {
        Event: deps.event ?? 'check-sync',
        'Subscription-State': 'terminated',
        To: `<sip:${target.extension}@${hostOf(target.uri)}>`,
        'Content-Length': '0',
      },
      proxy: target.proxy,
    }).then((sent) => {
      sent.on('response', (res) => {
        if (res.status >= 200) finish({ ...base, status: res.status });
      });
    }, (err: unknown) => finish({ ...base, status: null, error: (err as Error).message ?? String(err) }));
  });
}

/** The host part of a sip: URI (for the To header). */
function hostOf(uri: string): string {
  const match = /^sips?:(?:[^@]*@)?([^;?>]+)/i.exec(uri);
  return match?.[1] ?? 'invalid';
}

/** Sends the resync NOTIFY to every target in parallel and reports each outcome. */
export async function sendResync(deps: ResyncDeps, lines: readonly string[]): Promise<ResyncOutcome[]> {
  const targets = resyncTargets(lines, deps.findContacts);
  const outcomes = await Promise.all(targets.map((target) => notifyOne(deps, target)));
  for (const o of outcomes) {
    deps.logger.info({ extension: o.extension, contact: o.contact, status: o.status, error: o.error }, 'resync NOTIFY sent');
  }
  return outcomes;
}
