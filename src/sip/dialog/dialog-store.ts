/**
 * Every live dialog, found either by the id apps use or by the tags a network request
 * carries. When an app calls back into this same server, its UAC leg and the UAS leg the
 * call creates share Call-ID and From tag, hence the same dialog id; the owning app tells
 * them apart, so ids map to a (short) list.
 */
import type { Dialog } from './types.js';

export interface DialogStore {
  add(dialog: Dialog): void;
  remove(dialog: Dialog): void;
  /** The dialog with this id, preferring one owned by `appId`. */
  findById(id: string, appId?: string): Dialog | undefined;
  /** The dialog a network request belongs to: our tag is its To tag, theirs its From tag. */
  findByTags(callId: string, localTag: string, remoteTag: string | null): Dialog | undefined;
  /** Any dialog with this Call-ID owned by the app (apps may reuse a Call-ID to stay in a dialog). */
  findByCallId(callId: string, appId: string): Dialog | undefined;
  all(): Dialog[];
  size(): number;
}

function legKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

export function createDialogStore(): DialogStore {
  const byId = new Map<string, Dialog[]>();
  const byLeg = new Map<string, Dialog>();

  return {
    add(dialog) {
      const list = byId.get(dialog.id) ?? [];
      if (!list.includes(dialog)) list.push(dialog);
      byId.set(dialog.id, list);
      byLeg.set(legKey(dialog.callId, dialog.localTag), dialog);
    },
    remove(dialog) {
      dialog.state = 'terminated';
      const list = (byId.get(dialog.id) ?? []).filter((d) => d !== dialog);
      if (list.length === 0) byId.delete(dialog.id);
      else byId.set(dialog.id, list);
      const key = legKey(dialog.callId, dialog.localTag);
      if (byLeg.get(key) === dialog) byLeg.delete(key);
    },
    findById(id, appId) {
      const list = byId.get(id);
      if (!list || list.length === 0) return undefined;
      return list.find((d) => d.appId === appId) ?? (appId === undefined ? list[0] : undefined);
    },
    findByTags(callId, localTag, remoteTag) {
      const dialog = byLeg.get(legKey(callId, localTag));
      if (!dialog) return undefined;
      // An early UAC dialog learns the remote tag from the first tagged response.
      if (remoteTag !== null && dialog.remoteTag !== '' && dialog.remoteTag !== remoteTag) return undefined;
      return dialog;
    },
    findByCallId(callId, appId) {
      for (const dialog of byLeg.values()) {
        if (dialog.callId === callId && dialog.appId === appId) return dialog;
      }
      return undefined;
    },
    all: () => [...byLeg.values()],
    size: () => byLeg.size,
  };
}
