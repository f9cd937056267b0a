/**
 * The installer page (phone-sized): type or scan a MAC, pick the model (pre-filled when the
 * device has been seen) and the extension per line/port, save, then watch the status card.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseMac } from '../util/mac.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { publicDevice, modelChoices } from './admin-devices.js';
import { deviceToForm, parseDeviceForm, type DeviceForm } from './device-form.js';
import { deviceStatus, type StatusDeps } from './device-status.js';

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
    const form: DeviceForm = device ? deviceToForm(device) : { mac, model: seen?.model ?? '' };
    return sendPage(ctx, reply, 'installer', page(request, 'Install a device', 'installer', {
      ...base, mac, form, seenModel: seen?.model ?? null, seenAt: seen?.at ?? null,
      assigned: Boolean(device), status: deviceStatus(statusDeps(ctx), mac), ...extra,
    }), status);
  }

  scope.get<{ Querystring: { mac?: string; saved?: string } }>('/installer', async (request, reply) =>
    show(request, reply, request.query.mac?.trim() || undefined, request.query.saved ? { notice: 'Saved. Now power the device on and plug in the network cable.' } : {}),
  );

  scope.post<{ Body: DeviceForm }>('/installer', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const input = parseDeviceForm(form, ctx.deps.models);
      const before = repos.devices.get(input.mac);
      if (before) {
        // The installer page only sets model and lines; keys and timers set by an admin stay.
        const after = repos.devices.update(input.mac, { model: input.model, lines: input.lines, ...(input.label ? { label: input.label } : {}) });
        ctx.audit.record(actorOf(request), 'device.update', after.mac, publicDevice(before), publicDevice(after));
      } else {
        const device = repos.devices.add(input);
        ctx.audit.record(actorOf(request), 'device.create', device.mac, undefined, publicDevice(device));
      }
      return reply.redirect(`/installer?mac=${input.mac}&saved=1`, 303);
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
