/**
 * The REFER's implicit subscription (RFC 3515): NOTIFY with a message/sipfrag body carrying
 * the status line of the new call's progress; the last one terminates the subscription.
 */
import type { Logger } from '../../log.js';
import type { SrfDialog } from '../call/srf-call-types.js';

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 200: 'OK', 404: 'Not Found', 408: 'Request Timeout', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 600: 'Busy Everywhere', 603: 'Decline',
};

export function sipfrag(status: number): string {
  return `SIP/2.0 ${status} ${REASONS[status] ?? (status < 300 ? 'OK' : 'Failed')}\r\n`;
}

/**
 * The last NOTIFY ends the implicit refer subscription (RFC 3515). It travels inside the INVITE
 * dialog, which must survive it: a failed transfer leaves the original call up.
 */
export const FINAL_SUBSCRIPTION_STATE = 'terminated;reason=noresource';

export async function notifyReferProgress(dialog: SrfDialog, status: number, logger: Logger): Promise<void> {
  if (!dialog.connected) return;
  const final = status >= 200;
  try {
    await dialog.request({
      method: 'NOTIFY',
      headers: {
        'Event': 'refer',
        'Subscription-State': final ? FINAL_SUBSCRIPTION_STATE : 'active;expires=60',
        'Content-Type': 'message/sipfrag;version=2.0',
      },
      body: sipfrag(status),
    });
  } catch (err) {
    // The transferor may already have hung up; the transfer goes on regardless.
    logger.debug({ err, status }, 'refer NOTIFY not delivered');
  }
}
