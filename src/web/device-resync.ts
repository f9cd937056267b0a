/**
 * "Resync now" for the web UI and API: the PBX sends the SIP NOTIFY (Event: check-sync) that
 * makes a registered SPA re-fetch its profile (src/pbx/resync.ts). The composition root builds
 * the provider from the running PBX's srf with createDeviceResync and passes it as
 * options.resync; without it the button is disabled and the API answers 503.
 */
import type { Device, DeviceRepository } from '../data/types.js';
import { HookflashError } from '../errors.js';
import type { Logger } from '../log.js';
import type { FindContacts } from '../pbx/registrar/contacts.js';
import { resyncTargets, sendResync } from '../pbx/resync.js';
import type { RequestingSrf } from '../pbx/srf-types.js';
import { formatMac } from '../util/mac.js';
import { actorOf, type WebContext } from './context.js';
import type { FastifyRequest } from 'fastify';

/**
 * sent = NOTIFYs sent (0 when no line of the device is registered); accepted (optional) = how
 * many the phone answered with 2xx; message is for people.
 */
export interface ResyncResult {
  sent: number;
  accepted?: number;
  message: string;
}

export type DeviceResync = (mac: string) => Promise<ResyncResult>;

export const RESYNC_UNAVAILABLE = 'Resync is not available: the PBX is not running (the device picks up changes at its next reboot or periodic profile check).';

export function createDeviceResync(deps: {
  srf: RequestingSrf; findContacts: FindContacts; devices: Pick<DeviceRepository, 'get'>; logger: Logger; timeoutMs?: number;
}): DeviceResync {
  return async (mac) => {
    const device = deps.devices.get(mac);
    if (!device) throw new HookflashError('HF_NOT_FOUND', `device ${formatMac(mac)} does not exist`, 404, 'mac');
    if (resyncTargets(device.lines, deps.findContacts).length === 0) {
      return { sent: 0, message: noRegisteredPhone(device) };
    }
    const outcomes = await sendResync({ srf: deps.srf, findContacts: deps.findContacts, logger: deps.logger, ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}) }, device.lines);
    const accepted = outcomes.filter((o) => o.status !== null && o.status >= 200 && o.status < 300);
    const failed = outcomes.filter((o) => !accepted.includes(o))
      .map((o) => `${o.extension} ${o.status === null ? `did not answer${o.error ? ` (${o.error})` : ''}` : `answered ${o.status}`}`);
    const summary = accepted.length === outcomes.length
      ? `Resync sent: the phone accepted it (${accepted.map((o) => o.extension).join(', ')}) and fetches its profile now.`
      : accepted.length > 0
        ? `Resync sent to ${outcomes.length} registration(s); ${accepted.length} accepted it. Not accepted: ${failed.join('; ')}.`
        : `Resync sent to ${outcomes.length} registration(s) but none accepted it: ${failed.join('; ')}. Reboot the device to make it fetch its profile.`;
    return { sent: outcomes.length, accepted: accepted.length, message: summary };
  };
}

function noRegisteredPhone(device: Device): string {
  return `No registered phone: no line of ${formatMac(device.mac)} (${device.lines.join(', ') || 'no lines'}) is registered, so there is nothing to send the resync to. ` +
    'The device picks up changes at its next reboot or periodic profile check.';
}

/** The outcome of one "resync now", already audited; status is the HTTP status to answer with. */
export interface WebResyncOutcome extends ResyncResult {
  status: number;
  ok: boolean;
}

/** Runs the provider for the page and the API alike: 503 without a PBX, 409 when nothing was registered, 502 when nobody accepted. */
export async function resyncDevice(ctx: WebContext, request: FastifyRequest, device: Device, actor = actorOf(request)): Promise<WebResyncOutcome> {
  const provider = ctx.options.resync;
  if (!provider) return { status: 503, ok: false, sent: 0, message: RESYNC_UNAVAILABLE };
  try {
    const result = await provider(device.mac);
    ctx.audit.record(actor, 'device.resync', device.mac, undefined, { sent: result.sent, accepted: result.accepted ?? null, message: result.message });
    // Sent but refused or unanswered by every contact: 502, the phone did not take it.
    const status = result.sent === 0 ? 409 : result.accepted === 0 ? 502 : 200;
    return { ...result, status, ok: status === 200 };
  } catch (err) {
    const message = `Resync not sent: ${String((err as Error | undefined)?.message ?? err).replace(/\.$/, '')}.`;
    ctx.audit.record(actor, 'device.resync', device.mac, undefined, { sent: 0, error: message });
    ctx.deps.logger.warn({ mac: device.mac, err: (err as Error).message }, 'device resync failed');
    return { status: err instanceof HookflashError ? err.status : 503, ok: false, sent: 0, message };
  }
}
