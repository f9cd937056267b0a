/**
 * Bulk import of the CSV `hookflash import` takes, with the same per-row report: the plan comes
 * from src/cli/import/plan.ts (pure: it only reads repositories), so both doors accept exactly
 * the same files. All rows valid, or nothing is written.
 */
import type { FastifyInstance } from 'fastify';
import { planImport, type ImportPlan } from '../cli/import/plan.js';
import { generatePassword } from '../util/secrets.js';
import { actorOf, page, sendPage, type WebContext } from './context.js';
import { GENERATED_SIP_PASSWORD_LENGTH } from './admin-extensions.js';

const MAX_CSV_CHARS = 5 * 1024 * 1024;

function summary(plan: ImportPlan): string {
  const count = (items: { exists: boolean }[], noun: string) => {
    const updated = items.filter((i) => i.exists).length;
    return `${items.length} ${noun}${items.length === 1 ? '' : 's'}${updated ? ` (${updated} updated)` : ''}`;
  };
  return `${count(plan.extensions, 'extension')} and ${count(plan.devices, 'device')}`;
}

export function registerImportPage(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const show = (request: Parameters<typeof page>[0], extra: Record<string, unknown>) => page(request, 'Import CSV', 'import', extra);

  admin.get('/import', async (request, reply) => sendPage(ctx, reply, 'import', show(request, { csv: '' })));

  admin.post<{ Body: { csv?: string; update?: string; dryRun?: string } }>('/import', async (request, reply) => {
    const csv = String(request.body?.csv ?? '');
    const update = request.body?.update === 'on';
    const dryRun = request.body?.dryRun === 'on';
    const keep = { csv, update, dryRun };
    if (csv.length > MAX_CSV_CHARS) return sendPage(ctx, reply, 'import', show(request, { ...keep, csv: '', errors: [`the file is larger than ${MAX_CSV_CHARS} characters`] }), 400);
    const plan = planImport(csv, { repos, models: ctx.deps.models, update });
    if (plan.errors.length > 0) {
      return sendPage(ctx, reply, 'import', show(request, { ...keep, errors: plan.errors, error: `${plan.errors.length} problem(s) found; nothing was written.` }), 400);
    }
    if (plan.extensions.length + plan.devices.length === 0) {
      return sendPage(ctx, reply, 'import', show(request, { ...keep, error: 'No rows to import (only a header?).' }), 400);
    }
    if (dryRun) return sendPage(ctx, reply, 'import', show(request, { ...keep, notice: `Dry run: ${summary(plan)} are valid; nothing was written.` }));

    const generated: { number: string; password: string }[] = [];
    try {
      repos.transaction(() => {
        for (const e of plan.extensions) {
          if (e.exists) {
            repos.extensions.update(e.number, { displayName: e.displayName, emails: e.emails, ...(e.sipPassword ? { sipPassword: e.sipPassword } : {}) });
          } else {
            const password = e.sipPassword ?? generatePassword(GENERATED_SIP_PASSWORD_LENGTH);
            repos.extensions.add({ number: e.number, displayName: e.displayName, sipPassword: password, emails: e.emails });
            if (!e.sipPassword) generated.push({ number: e.number, password });
          }
        }
        for (const d of plan.devices) {
          if (d.exists) {
            const { mac, ...patch } = d.device;
            repos.devices.update(mac, patch);
          } else {
            repos.devices.add(d.device);
          }
        }
      });
    } catch (err) {
      return sendPage(ctx, reply, 'import', show(request, { ...keep, error: `${(err as Error).message}; nothing was written.` }), 400);
    }
    ctx.audit.record(actorOf(request), 'import', null, undefined, {
      extensions: plan.extensions.map((e) => e.number), devices: plan.devices.map((d) => d.device.mac), update,
    });
    return sendPage(ctx, reply, 'import', show(request, { csv: '', notice: `Imported ${summary(plan)}.`, generated }));
  });
}
