/**
 * Writing a validated import plan, shared by `hookflash import` and the web UI's import page so
 * both doors write exactly the same way: one transaction, generated passwords for extensions
 * without one, existing entries updated only when the plan says so.
 */
import type { Repositories } from '../../data/types.js';
import { generatePassword, GENERATED_SIP_PASSWORD_LENGTH } from '../../util/secrets.js';
import type { ImportPlan } from './plan.js';

export interface GeneratedPassword {
  number: string;
  password: string;
}

export interface ApplyHooks {
  /** Wraps each row's write, e.g. to name the CSV line in an error (the transaction still rolls back). */
  row?: (line: number, write: () => void) => void;
  /** Called after each row, e.g. to move a progress bar. */
  progress?: () => void;
}

/** Writes the whole plan in one transaction; returns the passwords it generated (shown once). */
export function applyImportPlan(
  repos: Pick<Repositories, 'extensions' | 'devices' | 'transaction'>, plan: ImportPlan, hooks: ApplyHooks = {},
): GeneratedPassword[] {
  const row = hooks.row ?? ((_line: number, write: () => void) => write());
  const generated: GeneratedPassword[] = [];
  repos.transaction(() => {
    for (const e of plan.extensions) {
      row(e.line, () => {
        if (e.exists) {
          repos.extensions.update(e.number, {
            displayName: e.displayName, emails: e.emails, ...(e.sipPassword ? { sipPassword: e.sipPassword } : {}),
          });
        } else {
          const password = e.sipPassword ?? generatePassword(GENERATED_SIP_PASSWORD_LENGTH);
          repos.extensions.add({ number: e.number, displayName: e.displayName, sipPassword: password, emails: e.emails });
          if (!e.sipPassword) generated.push({ number: e.number, password });
        }
      });
      hooks.progress?.();
    }
    for (const d of plan.devices) {
      row(d.line, () => {
        if (d.exists) {
          const { mac, ...patch } = d.device;
          repos.devices.update(mac, patch);
        } else {
          repos.devices.add(d.device);
        }
      });
      hooks.progress?.();
    }
  });
  return generated;
}

/** "3 extensions (1 updated) and 2 devices": what a plan will write or wrote. */
export function describeImportPlan(plan: ImportPlan): string {
  const count = (items: { exists: boolean }[], noun: string) => {
    const updated = items.filter((i) => i.exists).length;
    return `${items.length} ${noun}${items.length === 1 ? '' : 's'}${updated ? ` (${updated} updated)` : ''}`;
  };
  return `${count(plan.extensions, 'extension')} and ${count(plan.devices, 'device')}`;
}
