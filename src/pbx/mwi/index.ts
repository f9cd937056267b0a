/**
 * Message-waiting indication (RFC 3842). A mailbox owner's phone may SUBSCRIBE to
 * `message-summary` (authenticated like a call); it gets a NOTIFY at once and on every change.
 * Registered phones that do not subscribe get an unsolicited NOTIFY on every change (the
 * SPA303 lights its lamp from those too). Subscriptions are bounded in number and expire.
 */
import type { Logger } from '../../log.js';
import type { Mailbox, MessageCounts } from '../../data/types.js';
import type { AuthCheck, AuthDecision } from '../auth/guard.js';
import type { FindContacts } from '../registrar/contacts.js';
import type { OutgoingRequestOptions, SentRequestLike } from '../srf-types.js';
import { messageSummary, MWI_CONTENT_TYPE, MWI_EVENT } from './summary.js';

export { messageSummary, parseMessageSummary, MWI_EVENT, MWI_CONTENT_TYPE } from './summary.js';

interface SubscribeRequest {
  uri: string;
  source_address: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}
interface SubscribeResponse {
  send(status: number, reasonOrOpts?: string | { headers?: Record<string, string> }, opts?: { headers?: Record<string, string> }): void;
}
interface SubscribeDialog {
  connected: boolean;
  remote: { uri?: string };
  on(event: 'subscribe', l: (req: SubscribeRequest, res: SubscribeResponse) => void): unknown;
  on(event: 'unsubscribe' | 'destroy', l: () => void): unknown;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<unknown>;
  destroy(): Promise<unknown>;
}

export interface MwiSrf {
  subscribe(handler: (req: SubscribeRequest, res: SubscribeResponse) => void): unknown;
  createUAS(req: SubscribeRequest, res: SubscribeResponse, opts: { headers?: Record<string, string> }): Promise<unknown>;
  request(uri: string, opts: OutgoingRequestOptions): Promise<SentRequestLike>;
}

export interface MwiDeps {
  srf: MwiSrf;
  findContacts: FindContacts;
  guard: { check(request: AuthCheck): AuthDecision };
  extensions: { get(number: string): { sipPassword: string } | undefined };
  mailboxes: { get(box: string): Mailbox | undefined; list(): Mailbox[] };
  counts(box: string): MessageCounts;
  /** Host for Message-Account URIs. */
  host: string;
  logger: Logger;
  /** Subscription lifetime bounds, seconds. */
  minExpiresS?: number;
  maxExpiresS?: number;
  maxSubscriptions?: number;
}

export interface Mwi {
  /** A mailbox's counts changed: tell its owner's phones. */
  changed(box: string): void;
  subscriptions(): number;
  stop(): void;
}

interface Subscription {
  dialog: SubscribeDialog;
  box: string;
  extension: string;
  timer: NodeJS.Timeout;
}

const userOf = (uri: string | undefined): string | undefined => (uri ? /sips?:([^@;>?]+)@/i.exec(uri)?.[1] : undefined);

export function createMwi(deps: MwiDeps): Mwi {
  const log = deps.logger.child({ part: 'mwi' });
  const minExpires = deps.minExpiresS ?? 60;
  const maxExpires = deps.maxExpiresS ?? 3600;
  const maxSubscriptions = deps.maxSubscriptions ?? 2000;
  const subs = new Set<Subscription>();
  let stopped = false;

  const ownerOf = (mailbox: Mailbox): string => mailbox.extension ?? mailbox.box;
  /** The mailbox an extension's lamp shows: its own number's, else one it owns. */
  const boxOf = (extension: string): Mailbox | undefined => {
    const own = deps.mailboxes.get(extension);
    if (own && (own.extension === null || own.extension === extension)) return own;
    return deps.mailboxes.list().find((m) => m.extension === extension);
  };
  const body = (box: string) => messageSummary(deps.counts(box), `sip:${box}@${deps.host}`);

  function remove(sub: Subscription): void {
    clearTimeout(sub.timer);
    subs.delete(sub);
  }

  async function notify(sub: Subscription, state: string): Promise<void> {
    if (!sub.dialog.connected) return;
    try {
      await sub.dialog.request({
        method: 'NOTIFY',
        headers: { Event: MWI_EVENT, 'Subscription-State': state, 'Content-Type': MWI_CONTENT_TYPE },
        body: body(sub.box),
      });
    } catch (err) {
      log.debug({ err, box: sub.box }, 'MWI NOTIFY not delivered');
    }
  }

  function expiresOf(req: SubscribeRequest): number {
    const asked = Number.parseInt(req.get('Expires') ?? '', 10);
    if (!Number.isFinite(asked)) return maxExpires;
    if (asked === 0) return 0;
    return Math.min(Math.max(asked, minExpires), maxExpires);
  }

  function arm(sub: Subscription, expiresS: number): void {
    clearTimeout(sub.timer);
    sub.timer = setTimeout(() => {
      void notify(sub, 'terminated;reason=timeout').finally(() => {
        remove(sub);
        void sub.dialog.destroy().catch(() => undefined);
      });
    }, expiresS * 1000);
    sub.timer.unref?.();
  }

  deps.srf.subscribe((req, res) => {
    if (stopped) return void res.send(503);
    const event = (req.get('Event') ?? '').split(';')[0]!.trim().toLowerCase();
    if (event !== MWI_EVENT) {
      res.send(489, 'Bad Event', { headers: { 'Allow-Events': MWI_EVENT } });
      return;
    }
    const fromUser = userOf(req.get('From'));
    const decision = deps.guard.check({
      ip: req.source_address, method: 'SUBSCRIBE', proxy: false, authorizationHeader: req.get('Authorization'),
      requestUri: req.uri, password: (u) => deps.extensions.get(u)?.sipPassword,
      ...(fromUser === undefined ? {} : { actingAs: fromUser }),
    });
    if (decision.action === 'challenge') return void res.send(decision.status, { headers: { [decision.header]: decision.value } });
    if (decision.action === 'reject') return void res.send(decision.status);
    const extension = decision.username;
    const asked = userOf(req.uri);
    const mailbox = asked !== undefined && asked !== extension ? deps.mailboxes.get(asked) : boxOf(extension);
    if (mailbox === undefined || ownerOf(mailbox) !== extension) {
      log.info({ extension, asked }, 'MWI SUBSCRIBE for a mailbox this extension does not own');
      res.send(404, 'No Such Mailbox');
      return;
    }
    if (subs.size >= maxSubscriptions) return void res.send(503, 'Too Many Subscriptions');
    const expires = expiresOf(req);
    void deps.srf.createUAS(req, res, { headers: { Expires: String(expires) } }).then((created) => {
      const dialog = created as SubscribeDialog;
      const sub: Subscription = { dialog, box: mailbox.box, extension, timer: setTimeout(() => undefined, 0) };
      if (expires === 0) {
        // A one-off fetch (Expires: 0): one final NOTIFY with the counts.
        void notify(sub, 'terminated;reason=timeout');
        return;
      }
      subs.add(sub);
      arm(sub, expires);
      dialog.on('subscribe', (refresh, refreshRes) => {
        const next = expiresOf(refresh);
        refreshRes.send(200, { headers: { Expires: String(next) } });
        arm(sub, next);
        void notify(sub, `active;expires=${next}`);
      });
      dialog.on('unsubscribe', () => {
        remove(sub);
        void notify(sub, 'terminated');
      });
      dialog.on('destroy', () => remove(sub));
      log.info({ extension, box: mailbox.box, expires }, 'MWI subscription');
      void notify(sub, `active;expires=${expires}`);
    }, (err: unknown) => log.info({ err: (err as Error).message }, 'MWI SUBSCRIBE could not be answered'));
  });

  function unsolicited(uri: string, proxy: string, extension: string, box: string): void {
    deps.srf.request(uri, {
      method: 'NOTIFY',
      headers: {
        Event: MWI_EVENT,
        'Subscription-State': 'active',
        To: `<sip:${extension}@${deps.host}>`,
        'Content-Type': MWI_CONTENT_TYPE,
      },
      body: body(box),
      proxy,
    }).then((sent) => {
      sent.on('response', (r) => {
        if (r.status >= 300) log.debug({ extension, status: r.status }, 'unsolicited MWI NOTIFY refused');
      });
    }, (err: unknown) => log.debug({ err, extension }, 'unsolicited MWI NOTIFY not sent'));
  }

  return {
    changed(box) {
      if (stopped) return;
      const mailbox = deps.mailboxes.get(box);
      if (mailbox === undefined) return;
      const extension = ownerOf(mailbox);
      const subscribed = new Set<string>();
      for (const sub of subs) {
        if (sub.box !== box) continue;
        if (sub.dialog.remote.uri) subscribed.add(sub.dialog.remote.uri);
        void notify(sub, 'active');
      }
      const contacts = deps.findContacts(extension).filter((c) => !subscribed.has(c.uri));
      for (const contact of contacts) unsolicited(contact.uri, contact.proxy, extension, box);
      log.info({ box, extension, subscriptions: subscribed.size, unsolicited: contacts.length, ...deps.counts(box) }, 'MWI update');
    },
    subscriptions: () => subs.size,
    stop() {
      stopped = true;
      for (const sub of [...subs]) remove(sub);
    },
  };
}
