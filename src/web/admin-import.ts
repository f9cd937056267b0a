/**
 * Bulk import of the CSV `hookflash import` takes, with the same per-row report: the plan comes
 * from src/cli/import/plan.ts and is written by src/cli/import/apply.ts, so both doors accept and
 * write exactly the same files. All rows valid, or nothing is written.
 */
import type { FastifyInstance } from 'fastify';
import { planImport } from '../cli/import/plan.js';
import { applyImportPlan, describeImportPlan, type GeneratedPassword } from '../cli/import/apply.js';
import { actorOf, page, sendPage, type WebContext } from './context.js';

const MAX_CSV_CHARS = 5 * 1024 * 1024;


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
    if (dryRun) return sendPage(ctx, reply, 'import', show(request, { ...keep, notice: `Dry run: ${describeImportPlan(plan)} are valid; nothing was written.` }));

    let generated: GeneratedPassword[];
    try {
      generated = applyImportPlan(repos, plan);
    } catch (err) {
      return sendPage(ctx, reply, 'import', show(request, { ...keep, error: `${(err as Error).message}; nothing was written.` }), 400);
    }
    ctx.audit.record(actorOf(request), 'import', null, undefined, {
      extensions: plan.extensions.map((e) => e.number), devices: plan.devices.map((d) => d.device.mac), update,
    });
    return sendPage(ctx, reply, 'import', show(request, { csv: '', notice: `Imported ${describeImportPlan(plan)}.`, generated }));
  });
}
