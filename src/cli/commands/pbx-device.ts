/**
 * `hookflash device resync <mac>`: asks a registered device to re-fetch its profile now.
 * The CLI is its own process, so it connects a short-lived drachtio-srf app to the running
 * SIP server's control port (secret from the data dir) and sends the NOTIFYs from there.
 */
import { readFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import type { Command } from 'commander';
import { HookflashError, NotFoundError, ValidationError } from '../../errors.js';
import type { Config } from '../../config-types.js';
import { formatMac, parseMac } from '../../util/mac.js';
import { createContactFinder } from '../../pbx/registrar/contacts.js';
import { resyncTargets, sendResync, type ResyncEvent } from '../../pbx/resync.js';
import type { RequestingSrf } from '../../pbx/srf-types.js';
import { secretPath } from '../../sip/control/secret.js';
import type { CliContext } from '../context.js';

interface ResyncOptions {
  event: string;
  timeout: string;
}

export interface ControlTarget {
  host: string;
  port: number;
  secret: string;
}

/** Where the running SIP server's drachtio control port is, and its secret. */
export function controlTarget(config: Config): ControlTarget {
  if (config.sip.server !== 'embedded') return { ...config.sip.server };
  if (config.sip.controlPort === 0) {
    throw new ValidationError('sip.controlPort is 0 (any free port), so the CLI cannot find the running server; set a fixed port', 'sip.controlPort');
  }
  let secret: string;
  try {
    secret = readFileSync(secretPath(config.dataDir), 'utf8').trim();
  } catch (err) {
    throw new NotFoundError(
      `cannot read the SIP control secret ${secretPath(config.dataDir)} (${(err as NodeJS.ErrnoException).code ?? 'error'}); ` +
        'is `hookflash serve` running with this data dir?',
    );
  }
  // A wildcard bind address is reachable on loopback; other addresses as configured.
  const host = ['0.0.0.0', '::', ''].includes(config.sip.controlHost) ? '127.0.0.1' : config.sip.controlHost;
  return { host, port: config.sip.controlPort, secret };
}

async function connectSrf(target: ControlTarget, timeoutMs: number): Promise<{ srf: RequestingSrf; close(): void }> {
  // Loaded on use: the other commands (and `serve`) never pay for it.
  const { default: Srf } = await import('drachtio-srf');
  const srf = new Srf();
  const emitter = srf as unknown as EventEmitter;
  const close = () => {
    try {
      srf.disconnect();
    } catch {
      // never connected
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HookflashError('HF_SIP_CONTROL',
        `no answer from the SIP control port ${target.host}:${target.port} within ${timeoutMs} ms; is \`hookflash serve\` running?`, 503)), timeoutMs);
      emitter.once('connect', (err: Error | null) => {
        clearTimeout(timer);
        if (err) reject(new HookflashError('HF_SIP_CONTROL', `SIP control port refused the connection: ${err.message}`, 503));
        else resolve();
      });
      emitter.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(new HookflashError('HF_SIP_CONTROL', `cannot reach the SIP control port ${target.host}:${target.port}: ${err.message}`, 503));
      });
      srf.connect({ host: target.host, port: target.port, secret: target.secret });
    });
  } catch (err) {
    close();
    throw err;
  }
  emitter.on('error', () => undefined); // late socket errors after we are done are not news
  return { srf: srf as unknown as RequestingSrf, close };
}

export function registerPbxDeviceCommands(program: Command, ctx: CliContext): void {
  const group = program.commands.find((c) => c.name() === 'device') ?? program.command('device');
  group
    .command('resync <mac>')
    .description('make a registered device re-fetch its profile now (SIP NOTIFY Event: check-sync)')
    .option('--event <name>', 'check-sync (SPA phones) or resync', 'check-sync')
    .option('--timeout <seconds>', 'how long to wait for each device to answer', '5')
    .action(async (mac: string, opts: ResyncOptions) => {
      if (opts.event !== 'check-sync' && opts.event !== 'resync') {
        throw new ValidationError(`--event ${JSON.stringify(opts.event)} is not check-sync or resync`, 'event');
      }
      const timeoutS = Number(opts.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 60) {
        throw new ValidationError(`--timeout ${JSON.stringify(opts.timeout)} must be 1–60 seconds`, 'timeout');
      }
      const device = ctx.repos().devices.get(parseMac(mac));
      if (!device) throw new NotFoundError(`device ${formatMac(parseMac(mac))} does not exist (see: hookflash device list)`);
      const findContacts = createContactFinder({ registrations: ctx.repos().registrations, clock: Date.now });
      if (resyncTargets(device.lines, findContacts).length === 0) {
        throw new NotFoundError(
          `device ${formatMac(device.mac)} has no registered contacts (lines ${device.lines.join(', ') || 'none'}); ` +
            'it resyncs on its next boot or periodic check instead',
        );
      }
      const { srf, close } = await connectSrf(controlTarget(ctx.config()), timeoutS * 1000);
      try {
        const outcomes = await sendResync({ srf, findContacts, logger: ctx.logger(), timeoutMs: timeoutS * 1000, event: opts.event as ResyncEvent }, device.lines);
        for (const o of outcomes) {
          ctx.out(`${o.extension}  ${o.contact}  ${o.status === null ? `no answer (${o.error})` : o.status === 200 ? '200 OK' : `answered ${o.status}`}`);
        }
        const ok = outcomes.filter((o) => o.status !== null && o.status >= 200 && o.status < 300).length;
        if (ok === 0) {
          throw new HookflashError('HF_RESYNC', `no contact of device ${formatMac(device.mac)} accepted the resync`, 502);
        }
        ctx.out(`${ok} of ${outcomes.length} contact(s) accepted the resync`);
      } finally {
        close();
      }
    });
}
