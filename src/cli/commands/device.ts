import type { Command } from 'commander';
import { NotFoundError } from '../../errors.js';
import type { Device, FunctionKey } from '../../data/types.js';
import { formatMac, parseMac } from '../../util/mac.js';
import { formatTable, type CliContext } from '../context.js';
import { checkDeviceAgainstModel, parseHookFlashSpec, parseKeySpec, splitList } from '../device-rules.js';
import { compareParams, createCliRenderer, extensionsFor, formatDifference } from '../profile.js';
import { ValidationError } from '../../errors.js';
import { departmentOf, pairWithDepartments, saveWithDepartments, type LineChoice } from '../../provisioning/department-lines.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface AddOptions {
  model: string;
  line: string[];
  department?: string[];
  label?: string;
  blf?: string[];
  speedDial?: string[];
  hookFlashPreset?: string;
  hookFlash?: string;
  region?: string;
}

/** The word in --line for "a new extension for this line's department". */
const NEW_LINE = 'new';

/**
 * --line and --department → one choice per line. "-" in --department means none for that line;
 * `previous` (device set) are the lines the device had, whose departments a change moves from.
 */
function lineChoices(lines: string[], departmentArgs: string[] | undefined, previous: string[] = [],
  departmentWas: (extension: string) => string = () => ''): LineChoice[] {
  const departments = (departmentArgs ?? []).flatMap((d) => splitList(d)).map((d) => (d === '-' ? '' : d));
  return pairWithDepartments(lines, departments, '--department', '"-"').map((choice, i) => {
    if (choice.extension === NEW_LINE && choice.department === '') {
      throw new ValidationError(`line ${i + 1} is "new" but has no department: give one with --department (e.g. --department 30)`, 'department');
    }
    return {
      ...choice,
      extension: choice.extension === NEW_LINE ? '' : choice.extension,
      ...(departmentArgs !== undefined ? { departmentWas: departmentWas(previous[i] ?? '') } : {}),
    };
  });
}

/** "new extension 301 for department 30", "102 joins department 31": what the save did besides the device. */
function describeDepartments(choices: LineChoice[], lines: string[], created: string[]): string[] {
  const out: string[] = [];
  choices.forEach((choice, i) => {
    const ext = lines[i] ?? '';
    if (choice.department === '' || ext === '') return;
    out.push(created.includes(ext)
      ? `new extension ${ext} made for line ${i + 1}, agent of department ${choice.department} (its SIP password is only in the device's profile)`
      : `extension ${ext} (line ${i + 1}) is an agent of department ${choice.department}`);
  });
  return out;
}

function getDevice(ctx: CliContext, mac: string): Device {
  const device = ctx.repos().devices.get(parseMac(mac));
  if (!device) throw new NotFoundError(`device ${formatMac(parseMac(mac))} does not exist (see: hookflash device list)`);
  return device;
}

export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  const group = program
    .command('device')
    .description('manage phones and adapters: add, set, list, remove, reopen, render, diff');

  group
    .command('add <mac>')
    .description('add a device so it is provisioned on its next boot')
    .requiredOption('--model <model>', 'device model: spa303 or spa112 (see firmware-profiles/)')
    .requiredOption('--line <ext,...>', 'extensions in order: SPA303 lines/line keys, SPA112 ports 1–2 (comma-separated or repeated)', collect)
    .option('--department <queue,...>', 'department (queue) per line, in line order, "-" for none: the line\'s extension becomes its agent; a line given as "new" gets a new extension numbered next to the agents', collect)
    .option('--label <text>', 'where the device is, e.g. "Reception"')
    .option('--blf <key:ext[:label]>', 'busy-lamp key watching an extension (SPA303, repeatable)', collect)
    .option('--speed-dial <key:number[:label]>', 'speed-dial key (SPA303, repeatable)', collect)
    .option('--hook-flash-preset <name>', 'SPA112: named hook-flash timer preset from the model file')
    .option('--hook-flash <min,max>', 'SPA112: explicit hook-flash timers in seconds, e.g. 0.1,0.9')
    .option('--region <id>', 'regional preset (tones, cadences), e.g. pl; default from settings')
    .addHelpText('after', `
MAC forms accepted: 0011223344aa, 00:11:22:33:44:aa, 00-11-22-33-44-aa, 0011.2233.44aa.

Examples:
  hookflash device add 00:11:22:33:44:aa --model spa303 --line 102 --label Reception --blf 2:103:Boss --blf 3:104
  hookflash device add 0011.2233.44bb --model spa112 --line 201,202 --hook-flash-preset europe-270ms
  hookflash device add 0011.2233.44cc --model spa112 --line new,202 --department 30,-
      (port 1: a new extension for department 30 "Sales", e.g. 301; port 2: extension 202)`)
    .action((macArg: string, opts: AddOptions) => {
      const mac = parseMac(macArg);
      const lines = opts.line.flatMap((l) => splitList(l));
      const functionKeys: FunctionKey[] = [
        ...(opts.blf ?? []).map((s) => parseKeySpec(s, 'blf')),
        ...(opts.speedDial ?? []).map((s) => parseKeySpec(s, 'speeddial')),
      ];
      const hookFlash = opts.hookFlash ? parseHookFlashSpec(opts.hookFlash) : undefined;
      const input = {
        mac, model: opts.model.trim().toLowerCase(), lines, functionKeys, label: opts.label,
        hookFlashPreset: opts.hookFlashPreset ?? null, hookFlashMin: hookFlash?.min ?? null, hookFlashMax: hookFlash?.max ?? null,
        region: opts.region ?? null,
      };
      const choices = lineChoices(lines, opts.department);
      const repos = ctx.repos();
      const saved = saveWithDepartments(repos, choices, () => 'department', (resolved) => {
        const withLines = { ...input, lines: resolved.filter(Boolean) };
        const model = checkDeviceAgainstModel(ctx.models(), withLines);
        return { result: { device: repos.devices.add(withLines), model }, audit: [] };
      });
      const { device, model } = saved.result;
      ctx.out(`device ${formatMac(device.mac)} added (${model.name}, ${model.kind === 'ata' ? 'ports' : 'lines'}: ${device.lines.join(', ')})`);
      for (const line of describeDepartments(choices, device.lines, saved.created)) ctx.out(line);
      ctx.out('it gets its profile on the next boot or resync; see it with: hookflash device render ' + formatMac(device.mac));
    });

  group
    .command('set <mac>')
    .description('change a device: lines, label, keys, hook flash, region (it picks the change up on its next resync)')
    .option('--model <model>', 'device model')
    .option('--line <ext,...>', 'replace the lines (comma-separated or repeated); "new" = a new extension for the line\'s --department', collect)
    .option('--department <queue,...>', 'with --line: department (queue) per line, "-" for none; a line whose department changes moves from the old one', collect)
    .option('--label <text>', 'new label')
    .option('--blf <key:ext[:label]>', 'busy-lamp key (repeatable); replaces all keys', collect)
    .option('--speed-dial <key:number[:label]>', 'speed-dial key (repeatable); replaces all keys', collect)
    .option('--clear-keys', 'remove all BLF and speed-dial keys')
    .option('--hook-flash-preset <name>', 'SPA112: named hook-flash preset')
    .option('--hook-flash <min,max>', 'SPA112: explicit hook-flash timers in seconds')
    .option('--clear-hook-flash', 'back to the model default hook-flash timers')
    .option('--region <id>', 'regional preset, e.g. pl')
    .addHelpText('after', `
Examples:
  hookflash device set 00:11:22:33:44:aa --line 102,103 --label "Front desk"
  hookflash device set 00:11:22:33:44:aa --blf 3:104:Boss
  hookflash device set 00:11:22:33:44:bb --hook-flash-preset europe-270ms
  hookflash device set 00:11:22:33:44:bb --line 201,new --department 31,31`)
    .action((macArg: string, opts: Partial<AddOptions> & { clearKeys?: boolean; clearHookFlash?: boolean }, cmd: Command) => {
      const current = getDevice(ctx, macArg);
      const keysGiven = opts.blf !== undefined || opts.speedDial !== undefined;
      const hookFlash = opts.hookFlash ? parseHookFlashSpec(opts.hookFlash) : undefined;
      const patch = {
        ...(opts.model !== undefined ? { model: opts.model.trim().toLowerCase() } : {}),
        ...(opts.line !== undefined ? { lines: opts.line.flatMap((l) => splitList(l)) } : {}),
        ...(opts.label !== undefined ? { label: opts.label } : {}),
        ...(keysGiven || opts.clearKeys
          ? { functionKeys: [
              ...(opts.blf ?? []).map((x) => parseKeySpec(x, 'blf')),
              ...(opts.speedDial ?? []).map((x) => parseKeySpec(x, 'speeddial')),
            ] }
          : {}),
        ...(opts.clearHookFlash ? { hookFlashPreset: null, hookFlashMin: null, hookFlashMax: null } : {}),
        ...(opts.hookFlashPreset !== undefined ? { hookFlashPreset: opts.hookFlashPreset } : {}),
        ...(hookFlash ? { hookFlashMin: hookFlash.min, hookFlashMax: hookFlash.max } : {}),
        ...(opts.region !== undefined ? { region: opts.region } : {}),
      };
      if (opts.department !== undefined && opts.line === undefined) {
        throw new ValidationError('--department goes with --line: give both (one department per line, "-" for none)', 'department');
      }
      if (Object.keys(patch).length === 0) {
        cmd.error('error: nothing to change: give at least one option (see --help)', { exitCode: 2, code: 'hookflash.nothingToChange' });
      }
      const repos = ctx.repos();
      const choices = lineChoices(patch.lines ?? [], opts.department, current.lines, (ext) => departmentOf(repos, ext));
      const saved = saveWithDepartments(repos, choices, () => 'department', (resolved) => {
        const changes = patch.lines === undefined ? patch : { ...patch, lines: resolved.filter(Boolean) };
        checkDeviceAgainstModel(ctx.models(), { ...current, ...changes });
        return { result: repos.devices.update(current.mac, changes), audit: [] };
      });
      const device = saved.result;
      ctx.out(`device ${formatMac(device.mac)} updated (lines: ${device.lines.join(', ')})`);
      for (const line of describeDepartments(choices, device.lines, saved.created)) ctx.out(line);
    });

  group
    .command('list')
    .description('list devices with their lines, provisioning state and when they were last seen')
    .option('--json', 'print JSON (secrets left out)')
    .addHelpText('after', '\nExamples:\n  hookflash device list\n  hookflash device list --json')
    .action((opts: { json?: boolean }) => {
      const repos = ctx.repos();
      const devices = repos.devices.list();
      const rows = devices.map((d) => {
        const seen = repos.sightings.latestForMac(d.mac);
        return { d, seen };
      });
      if (opts.json) {
        ctx.out(JSON.stringify(rows.map(({ d, seen }) => {
          const { adminPassword: _a, provisioningToken: _t, ...rest } = d;
          return { ...rest, lastSeen: seen ? { at: seen.at, ip: seen.ip, firmware: seen.firmware } : null };
        }), null, 2));
        return;
      }
      if (devices.length === 0) {
        ctx.out('no devices (add one: hookflash device add 00:11:22:33:44:aa --model spa303 --line 102)');
        return;
      }
      ctx.out(formatTable(
        ['MAC', 'MODEL', 'LABEL', 'LINES', 'STATE', 'LAST SEEN'],
        rows.map(({ d, seen }) => [
          formatMac(d.mac), d.model, d.label || '-', d.lines.join(',') || '-',
          d.secretUrlConfirmed ? 'on secret URL' : 'plain-MAC window open',
          seen ? `${seen.at} ${seen.ip}${seen.firmware ? ` fw ${seen.firmware}` : ''}` : 'never',
        ]),
      ));
    });

  group
    .command('remove <mac>')
    .description('remove a device; it gets no profile any more')
    .addHelpText('after', '\nExample:\n  hookflash device remove 00:11:22:33:44:aa')
    .action((macArg: string) => {
      const device = getDevice(ctx, macArg);
      ctx.repos().devices.remove(device.mac);
      ctx.out(`device ${formatMac(device.mac)} removed`);
    });

  group
    .command('reopen <mac>')
    .description('let the device fetch its full profile from the plain MAC URL again (after a factory reset)')
    .addHelpText('after', `
After its first fetch through the secret per-device URL, the plain MAC URL serves no secrets.
A factory-reset device only knows the plain URL: reopen lets it in once more (token kept).

Example:
  hookflash device reopen 00:11:22:33:44:aa`)
    .action((macArg: string) => {
      const device = ctx.repos().devices.reopen(getDevice(ctx, macArg).mac);
      ctx.out(`device ${formatMac(device.mac)}: plain-MAC provisioning window reopened`);
    });

  group
    .command('render <mac>')
    .description('print the per-MAC profile this device would be served (secrets masked)')
    .option('--show-secrets', 'print passwords and the secret URL token in clear')
    .addHelpText('after', '\nExamples:\n  hookflash device render 00:11:22:33:44:aa\n  hookflash device render 00:11:22:33:44:aa --show-secrets > profile.xml')
    .action((macArg: string, opts: { showSecrets?: boolean }) => {
      const device = getDevice(ctx, macArg);
      const rendered = createCliRenderer(ctx).renderDevice(device, extensionsFor(ctx.repos(), device), {
        maskSecrets: opts.showSecrets !== true,
      });
      ctx.io.stdout.write(rendered.body.endsWith('\n') ? rendered.body : `${rendered.body}\n`);
    });

  group
    .command('diff <mac>')
    .description('show what changed since the device last fetched, and where its last report differs')
    .addHelpText('after', `
Compares, parameter by parameter:
  1. the profile last served to the device with the profile it would get now;
  2. what it reported (Report_Rule upload) with what it was last served.
Secret values are never printed: they show as "(changed)".

Example:
  hookflash device diff 00:11:22:33:44:aa`)
    .action((macArg: string) => {
      const repos = ctx.repos();
      const device = getDevice(ctx, macArg);
      const mac = formatMac(device.mac);
      const current = createCliRenderer(ctx).renderDevice(device, extensionsFor(repos, device));
      const served = repos.servedSnapshots.get(device.mac);
      if (!served) {
        ctx.out(`${mac} has not fetched its profile yet: all ${Object.keys(current.params).length} parameters are pending`);
      } else {
        const changes = compareParams(served.params, current.params, current.secretParams);
        const labels = { before: 'last served', after: 'current profile' };
        ctx.out(changes.length === 0
          ? `${mac}: profile unchanged since last fetch (${served.at})`
          : `${mac}: ${changes.length} parameter(s) changed since last fetch (${served.at}):`);
        for (const c of changes) ctx.out(formatDifference(c, labels));
      }
      const report = repos.reports.latest(device.mac);
      if (!report) {
        ctx.out(`${mac}: no Report_Rule upload received yet`);
        return;
      }
      const reference = served?.params ?? current.params;
      // Only parameters we set matter: the report lists the device's whole configuration.
      const differs = compareParams(report.params, reference, current.secretParams, { onlyNamesIn: 'after' });
      const labels = { before: 'device report', after: served ? 'last served' : 'current profile' };
      const fw = report.firmware ? `, firmware ${report.firmware}` : '';
      ctx.out(differs.length === 0
        ? `${mac}: device report (${report.receivedAt}${fw}) matches what was served`
        : `${mac}: device report (${report.receivedAt}${fw}) differs from ${labels.after} in ${differs.length} parameter(s):`);
      for (const d of differs) ctx.out(formatDifference(d, labels));
    });
}
