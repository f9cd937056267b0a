/**
 * Requests the server sends on its own in an app's dialog: the BYE that ends a call whose
 * 2xx was never ACKed. The app learns of it as an `unsolicited` BYE (protocol notes §3).
 */
import { serializeMessage } from '../message/index.js';
import { buildInDialogRequest } from '../dialog/request.js';
import type { Dialog } from '../dialog/types.js';
import { sendUnsolicited } from './app-frames.js';
import type { CoreContext } from './context.js';
import { dialogDestination } from './destinations.js';
import { endDialog } from './network-requests.js';

export function serverBye(ctx: CoreContext, dialog: Dialog, why: string): void {
  const bye = buildInDialogRequest(dialog, {
    method: 'BYE',
    appUri: 'sip:placeholder',
    headers: [{ name: 'Reason', value: `SIP ;cause=200 ;text="${why}"` }],
    body: Buffer.alloc(0),
  });
  endDialog(ctx, dialog);
  void dialogDestination(ctx, dialog, bye.uri).then((result) => {
    if (!result.ok) {
      ctx.logger.warn({ dialogId: dialog.id, error: result.error }, 'sip core: cannot send BYE');
      return;
    }
    const ignore = () => undefined;
    const tx = ctx.transactions.sendRequest(bye, result.dest, { onResponse: ignore, onTimeout: ignore, onTransportError: ignore });
    ctx.logger.info({ dialogId: dialog.id, why }, 'sip core: server ended a dialog');
    const app = ctx.findApp(dialog.appId);
    if (app && !app.closed) sendUnsolicited(app, result.dest, dialog.id, tx.requestBytes ?? serializeMessage(tx.request));
  }).catch((err: unknown) => ctx.logger.error({ err, dialogId: dialog.id }, 'sip core: BYE failed'));
}
