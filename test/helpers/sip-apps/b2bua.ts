/**
 * A small drachtio-srf B2BUA app: INVITE → look up the callee (the registrar's binding, or a
 * fixed route) → srf.createB2BUA. Either leg hanging up tears down the other. A REFER on
 * either leg is a blind transfer: 202, NOTIFY sipfrag "100 Trying", a new call to the
 * Refer-To target offering the transferee's SDP, a re-INVITE of the transferee with the
 * target's answer (the re-bridge), NOTIFY "200 OK", and the transferor's leg is let go.
 */
import type { SrfApp, SrfReq, SrfRes } from '../srf.js';
import { userOf } from './registrar.js';

export interface B2buaEvent {
  kind: 'bridged' | 'failed' | 'released' | 'refer' | 'transferred' | 'transfer-failed';
  detail: string;
}

export interface B2buaApp {
  events: B2buaEvent[];
  /** Calls currently bridged (pairs of dialogs). */
  activeCalls(): number;
  counts: { bridged: number; failed: number; released: number; transferred: number };
}

export interface B2buaOptions {
  /** Contact URI for a callee user, or undefined (→ 404). */
  route: (user: string, req: SrfReq) => string | undefined;
  /** Keep an event log (off for benchmarks). */
  log?: boolean;
}

interface Leg {
  dialog: SrfApp;
  partner: Leg | null;
  /** true once this leg was handed over in a transfer: its end no longer ends the partner. */
  released: boolean;
}

export function installB2bua(srf: SrfApp, opts: B2buaOptions): B2buaApp {
  const events: B2buaEvent[] = [];
  const counts = { bridged: 0, failed: 0, released: 0, transferred: 0 };
  const calls = new Set<Leg>();
  const record = (kind: B2buaEvent['kind'], detail: string): void => { if (opts.log !== false) events.push({ kind, detail }); };

  function pair(a: Leg, b: Leg): void {
    a.partner = b;
    b.partner = a;
  }

  function watch(leg: Leg): void {
    calls.add(leg);
    leg.dialog.on('destroy', () => {
      calls.delete(leg);
      const partner = leg.partner;
      leg.partner = null;
      if (leg.released || partner === null) return;
      partner.partner = null;
      counts.released++;
      record('released', 'hangup relayed');
      try { partner.dialog.destroy(); } catch { /* already gone */ }
    });
    leg.dialog.on('refer', (req: SrfReq, res: SrfRes) => { void transfer(leg, req, res); });
  }

  async function transfer(transferor: Leg, req: SrfReq, res: SrfRes): Promise<void> {
    const transferee = transferor.partner;
    const referTo = String(req.get('Refer-To') ?? '').trim().replace(/^[^<]*</, '').replace(/>.*$/, '');
    record('refer', referTo);
    if (transferee === null || referTo === '') { res.send(transferee === null ? 481 : 400); return; }
    res.send(202);
    const notify = (frag: string, state: string) => transferor.dialog.request({
      method: 'NOTIFY',
      headers: { 'Event': 'refer', 'Subscription-State': state, 'Content-Type': 'message/sipfrag;version=2.0' },
      body: `${frag}\r\n`,
    }).catch(() => undefined);
    await notify('SIP/2.0 100 Trying', 'active;expires=60');
    const user = userOf(referTo);
    const target = (user !== undefined ? opts.route(user, req) : undefined) ?? referTo;
    try {
      const uac = await srf.createUAC(target, { localSdp: transferee.dialog.remote.sdp });
      await transferee.dialog.modify(uac.remote.sdp);
      const leg: Leg = { dialog: uac, partner: null, released: false };
      transferor.released = true;
      transferor.partner = null;
      pair(transferee, leg);
      watch(leg);
      counts.transferred++;
      record('transferred', target);
      await notify('SIP/2.0 200 OK', 'terminated;reason=noresource');
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      record('transfer-failed', `${target}: ${status}`);
      await notify(`SIP/2.0 ${status} Failed`, 'terminated;reason=noresource');
    }
  }

  srf.invite(async (req: SrfReq, res: SrfRes) => {
    const user = userOf(req.uri) ?? '';
    const target = opts.route(user, req);
    if (target === undefined) {
      counts.failed++;
      record('failed', `${user}: not found`);
      res.send(404);
      return;
    }
    try {
      const { uas, uac } = await srf.createB2BUA(req, res, target, { localSdpB: req.body });
      const a: Leg = { dialog: uas, partner: null, released: false };
      const b: Leg = { dialog: uac, partner: null, released: false };
      pair(a, b);
      watch(a);
      watch(b);
      counts.bridged++;
      record('bridged', `${user} → ${target}`);
    } catch (err) {
      counts.failed++;
      record('failed', `${user} → ${target}: ${(err as { status?: number }).status ?? (err as Error).message}`);
    }
  });

  return { events, counts, activeCalls: () => calls.size / 2 };
}
