/** Admin pages for devices: list, add, edit (lines, keys, hook flash), preview + diff, resync, reopen, delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Device } from '../data/types.js';
import { formatMac, parseMac } from '../util/mac.js';
import { knownRegions } from '../provisioning/regions.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { deviceToForm, parseDeviceForm, type DeviceForm } from './device-form.js';
import { devicePreview } from './device-preview.js';
import { deviceStatus, type DeviceStatus } from './device-status.js';
import { statusDeps } from './installer.js';
import { RESYNC_UNAVAILABLE, resyncDevice } from './device-resync.js';

/** Never show or audit the device's admin password or provisioning token. */
export function publicDevice(d: Device) {
  const { adminPassword: _a, provisioningToken: _t, ...rest } = d;
  return rest;
}

/** One short phrase for the devices list. */
export function stageText(status: DeviceStatus): string {
  switch (status.current) {
    case 'assigned': return 'not assigned';
    case 'seen': return 'not seen yet';
    case 'fetched': return 'seen, no profile yet';
    case 'registered': return status.registered.state === 'waiting' ? 'profile fetched, not registered' : 'profile fetched';
    default: return status.registered.state === 'done' ? 'registered' : 'profile fetched';
  }
}

export function modelChoices(ctx: WebContext) {
  return [...ctx.deps.models.values()].map((m) => ({
    id: m.id, name: m.name, lines: m.lines, kind: m.kind,
    presets: Object.entries(m.hookFlash?.presets ?? {}).map(([id, p]) => ({ id, description: p.description })),
  }));
}

export function registerDevicePages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const common = () => ({ models: modelChoices(ctx), regions: knownRegions().map((r) => ({ id: r.id, description: r.description })), extensions: repos.extensions.list().map((e) => ({ number: e.number, displayName: e.displayName })) });

  function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const devices = repos.devices.list().map((d) => {
      const status = deviceStatus(statusDeps(ctx), d.mac);
      const report = repos.reports.latest(d.mac);
      return {
        ...publicDevice(d), status, stage: stageText(status),
        // The device's own report is the better source; a sighting's User-Agent is next best.
        firmware: report?.firmware ?? status.seen.firmware ?? null, reportAt: report?.receivedAt ?? null,
      };
    });
    return sendPage(ctx, reply, 'devices', page(request, 'Devices', 'devices', { devices, form: {}, ...common(), ...extra }), status);
  }

  function editPage(request: FastifyRequest, reply: FastifyReply, device: Device, extra: Record<string, unknown> = {}, status = 200) {
    let preview: ReturnType<typeof devicePreview> | { error: string };
    try {
      preview = devicePreview({ repos, renderer: ctx.deps.renderer }, device);
    } catch (err) {
      preview = { error: (err as Error).message };
    }
    const report = repos.reports.latest(device.mac);
    // Only the settings of the device's own model: hook-flash timing for adapters, keys for phones.
    const model = ctx.deps.models.get(device.model);
    const deviceModel = {
      isAta: Boolean(model?.hookFlash),
      presets: Object.entries(model?.hookFlash?.presets ?? {}).map(([id, p]) => ({ id, description: p.description })),
    };
    return sendPage(ctx, reply, 'device-edit', page(request, `Device ${formatMac(device.mac)}`, 'devices', {
      device: publicDevice(device), form: deviceToForm(device), preview, deviceModel,
      report: report ? { firmware: report.firmware, receivedAt: report.receivedAt, params: Object.keys(report.params).length } : null,
      resync: ctx.options.resync ? { available: true } : { available: false, reason: RESYNC_UNAVAILABLE },
      status: deviceStatus(statusDeps(ctx), device.mac), ...common(), ...extra,
    }), status);
  }

  const find = (mac: string) => {
    try {
      return repos.devices.get(parseMac(mac));
    } catch {
      return undefined;
    }
  };

  admin.get('/devices', async (request, reply) => listPage(request, reply));

  admin.post<{ Body: DeviceForm }>('/devices', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const device = repos.devices.add(parseDeviceForm(form, ctx.deps.models));
      ctx.audit.record(actorOf(request), 'device.create', device.mac, undefined, publicDevice(device));
      return reply.redirect(`/admin/devices/${device.mac}`, 303);
    } catch (err) {
      const e = expectedError(err);
      return listPage(request, reply, { error: e.message, field: e.field, form }, e.status);
    }
  });

  admin.get<{ Params: { mac: string } }>('/devices/:mac', async (request, reply) => {
    const device = find(request.params.mac);
    if (!device) return listPage(request, reply, { error: `No device ${request.params.mac}.` }, 404);
    return editPage(request, reply, device);
  });

  admin.post<{ Params: { mac: string }; Body: DeviceForm }>('/devices/:mac', async (request, reply) => {
    const before = find(request.params.mac);
    if (!before) return listPage(request, reply, { error: `No device ${request.params.mac}.` }, 404);
    const form = request.body ?? {};
    try {
      const { mac: _mac, ...patch } = parseDeviceForm(form, ctx.deps.models, before.mac);
      const after = repos.devices.update(before.mac, patch);
      ctx.audit.record(actorOf(request), 'device.update', after.mac, publicDevice(before), publicDevice(after));
      return editPage(request, reply, after, { notice: 'Saved. The device gets the change at its next profile fetch.' });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message, field: e.field, form: { ...form, mac: before.mac } }, e.status);
    }
  });

  admin.post<{ Params: { mac: string } }>('/devices/:mac/resync', async (request, reply) => {
    const device = find(request.params.mac);
    if (!device) return listPage(request, reply, { error: `No device ${request.params.mac}.` }, 404);
    const outcome = await resyncDevice(ctx, request, device);
    return editPage(request, reply, device, outcome.ok ? { notice: outcome.message } : { error: outcome.message }, outcome.status);
  });

  admin.post<{ Params: { mac: string } }>('/devices/:mac/reopen', async (request, reply) => {
    const before = find(request.params.mac);
    if (!before) return listPage(request, reply, { error: `No device ${request.params.mac}.` }, 404);
    const after = repos.devices.reopen(before.mac);
    ctx.audit.record(actorOf(request), 'device.reopen', after.mac, publicDevice(before), publicDevice(after));
    return editPage(request, reply, after, { notice: 'Provisioning window reopened: the plain MAC URL serves the full profile again until the device fetches its secret URL.' });
  });

  admin.post<{ Params: { mac: string } }>('/devices/:mac/delete', async (request, reply) => {
    const before = find(request.params.mac);
    if (!before) return listPage(request, reply, { error: `No device ${request.params.mac}.` }, 404);
    repos.devices.remove(before.mac);
    ctx.audit.record(actorOf(request), 'device.delete', before.mac, publicDevice(before), undefined);
    return listPage(request, reply, { notice: `Device ${before.mac} deleted.` });
  });
}
