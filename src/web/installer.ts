/**
 * The installer page (phone-sized): type or scan a MAC, pick the model (pre-filled when the
 * device has been seen) and the extension per line/port, save, then watch the status card.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseMac } from '../util/mac.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { publicDevice, modelChoices } from './admin-devices.js';
import { deviceToForm, parseDeviceForm, MAX_FORM_LINES, type DeviceForm } from './device-form.js';
import { deviceStatus, type StatusDeps } from './device-status.js';
import { departmentOf, saveWithDepartments, type LineChoice } from '../provisioning/department-lines.js';

/** The installer form: the device fields plus, per line, a department (queue) and the one it showed. */
type InstallerForm = DeviceForm & Partial<Record<`dept${1 | 2 | 3}` | `deptWas${1 | 2 | 3}`, string>>;

const lineNumbers = Array.from({ length: MAX_FORM_LINES }, (_, i) => (i + 1) as 1 | 2 | 3);

function lineChoices(form: InstallerForm): LineChoice[] {
  return lineNumbers.map((n) => ({
    extension: String(form[`line${n}`] ?? ''), department: String(form[`dept${n}`] ?? ''), departmentWas: String(form[`deptWas${n}`] ?? ''),
  }));
}

export function statusDeps(ctx: WebContext): StatusDeps {
  return {
    repos: ctx.repos,
    publicHost: ctx.deps.config.publicHost,
    httpPort: ctx.options.publicHttpPort ?? ctx.deps.config.http.port,
    now: ctx.now,
    stallAfterMs: ctx.options.stallAfterMs,
    ...(ctx.deps.registrationsFor ? { registrationsFor: ctx.deps.registrationsFor } : {}),
  };
}

export function registerInstallerPages(scope: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;

  function show(request: FastifyRequest, reply: FastifyReply, rawMac: string | undefined, extra: Record<string, unknown> = {}, status = 200) {
    const base = {
      models: modelChoices(ctx),
      extensions: repos.extensions.list().map((e) => ({ number: e.number, displayName: e.displayName })),
      departments: repos.queues.list().map((q) => ({ number: q.number, name: q.name })),
      pollMs: ctx.options.statusPollMs,
      rawMac: rawMac ?? '',
    };
    if (!rawMac) return sendPage(ctx, reply, 'installer', page(request, 'Install a device', 'installer', { ...base, ...extra }), status);
    let mac: string;
    try {
      mac = parseMac(rawMac);
    } catch (err) {
      const e = expectedError(err);
      return sendPage(ctx, reply, 'installer', page(request, 'Install a device', 'installer', { ...base, macError: e.message, ...extra }), 400);
    }
    const device = repos.devices.get(mac);
    const seen = repos.sightings.latestForMac(mac);
    const form: InstallerForm = device ? deviceToForm(device) : { mac, model: seen?.model ?? '' };
    for (const n of lineNumbers) {
      // What the line's extension belongs to now; sent back as deptWas so a change moves it.
      const dept = departmentOf(repos, form[`line${n}`]);
      form[`dept${n}`] = dept;
      form[`deptWas${n}`] = dept;
    }
    return sendPage(ctx, reply, 'installer', page(request, 'Install a device', 'installer', {
      ...base, mac, form, seenModel: seen?.model ?? null, seenAt: seen?.at ?? null,
      assigned: Boolean(device), status: deviceStatus(statusDeps(ctx), mac), ...extra,
    }), status);
  }

  scope.get<{ Querystring: { mac?: string; saved?: string; created?: string } }>('/installer', async (request, reply) => {
    const created = String(request.query.created ?? '').split(',').filter((n) => /^\d{2,4}$/.test(n));
    const notice = request.query.saved
      ? `Saved.${created.length > 0 ? ` New extension${created.length > 1 ? 's' : ''} ${created.join(', ')} created.` : ''} Now power the device on and plug in the network cable.`
      : undefined;
    return show(request, reply, request.query.mac?.trim() || undefined, notice ? { notice } : {});
  });

  scope.post<{ Body: InstallerForm }>('/installer', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const choices = lineChoices(form);
      const saved = saveWithDepartments(repos, choices, (n) => `dept${n}`, (lines) => {
        const [line1, line2, line3] = lines;
        const input = parseDeviceForm({ ...form, line1, line2, line3 }, ctx.deps.models);
        const before = repos.devices.get(input.mac);
        if (!before) {
          const device = repos.devices.add(input);
          return { result: device.mac, audit: [{ action: 'device.create', target: device.mac, after: publicDevice(device) }] };
        }
        // The installer page only sets model and lines; keys and timers set by an admin stay.
        const after = repos.devices.update(input.mac, { model: input.model, lines: input.lines, ...(input.label ? { label: input.label } : {}) });
        return { result: after.mac, audit: [{ action: 'device.update', target: after.mac, before: publicDevice(before), after: publicDevice(after) }] };
      });
      for (const entry of saved.audit) ctx.audit.record(actorOf(request), entry.action, entry.target, entry.before, entry.after);
      const created = saved.created.length > 0 ? `&created=${saved.created.join(',')}` : '';
      return reply.redirect(`/installer?mac=${saved.result}&saved=1${created}`, 303);
    } catch (err) {
      const e = expectedError(err);
      return show(request, reply, form.mac, { error: e.message, field: e.field, form }, e.status);
    }
  });

  scope.get<{ Params: { mac: string } }>('/installer/status/:mac', async (request, reply) => {
    try {
      return reply.header('cache-control', 'no-store').send(deviceStatus(statusDeps(ctx), parseMac(request.params.mac)));
    } catch (err) {
      const e = expectedError(err);
      return reply.code(e.status).send({ error: { message: e.message, field: e.field } });
    }
  });
}
