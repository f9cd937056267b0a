import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { ValidationError } from '../../errors.js';
import { formatTable, type CliContext } from '../context.js';
import { planImport, type ImportPlan } from '../import/plan.js';
import { applyImportPlan, describeImportPlan } from '../import/apply.js';

/** Far above any office; stops a mistyped path (a disk image, a log) from being read whole. */
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

interface ImportOptions {
  dryRun?: boolean;
  update?: boolean;
  progress?: boolean;
}

export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import <file>')
    .description('bulk-add extensions and devices from a CSV file (all rows valid, or nothing is written)')
    .option('--dry-run', 'validate only; write nothing')
    .option('--update', 'change existing extensions/devices instead of reporting them as conflicts')
    .option('--progress', 'show a progress bar even when stderr is not a terminal')
    .addHelpText('after', `
The file needs a header row. Each row has type "extension" or "device":
  type,number,name,password,email,mac,model,lines,label
  extension,102,Anna Nowak,,anna@example.com;office@example.com,,,,
  device,,,,,00:11:22:33:44:aa,spa303,102;103,Reception
Optional columns: blf ("2:103:Boss;3:104"), speed_dial, hook_flash_preset, hook_flash ("0.1;0.9"), region.
Empty password = generated and printed once. See docs/csv-import.md.

Examples:
  hookflash import office.csv --dry-run
  hookflash import office.csv
  hookflash import changes.csv --update`)
    .action((file: string, opts: ImportOptions) => {
      const path = resolve(ctx.io.cwd, file);
      const text = readImportFile(path);
      const repos = ctx.repos();
      const plan = planImport(text, { repos, models: ctx.models(), update: opts.update === true });
      const total = plan.extensions.length + plan.devices.length;
      if (plan.errors.length > 0) {
        for (const e of plan.errors) ctx.err(`${file} ${e}`);
        throw new ValidationError(`${file}: ${plan.errors.length} problem(s) found; nothing was written`);
      }
      if (total === 0) throw new ValidationError(`${file}: no rows to import (only a header?)`);
      if (opts.dryRun) {
        ctx.out(`dry run: ${describeImportPlan(plan)} are valid; nothing was written`);
        return;
      }
      const generated = apply(ctx, plan, opts.progress === true || ctx.io.stderr.isTTY === true);
      ctx.out(`imported ${describeImportPlan(plan)}`);
      if (generated.length > 0) {
        ctx.out('generated SIP passwords (shown once, store them now):');
        ctx.out(formatTable(['NUMBER', 'PASSWORD'], generated));
      }
    });
}

function readImportFile(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ValidationError(`cannot read ${path}: no such file`);
  }
  if (size > MAX_IMPORT_BYTES) throw new ValidationError(`${path} is ${size} bytes; the import limit is ${MAX_IMPORT_BYTES}`);
  const text = readFileSync(path, 'utf8');
  if (text.includes('\uFFFD')) throw new ValidationError(`${path} is not UTF-8 text (save it as "CSV UTF-8")`);
  return text;
}


/** Writes the whole plan in one transaction; returns [number, password] for generated passwords. */
function apply(ctx: CliContext, plan: ImportPlan, showProgress: boolean): string[][] {
  const bar = showProgress
    ? new cliProgress.SingleBar(
        { stream: ctx.io.stderr as unknown as NodeJS.WritableStream, noTTYOutput: true, format: 'importing [{bar}] {value}/{total}' },
        cliProgress.Presets.legacy,
      )
    : undefined;
  bar?.start(plan.extensions.length + plan.devices.length, 0);
  try {
    return applyImportPlan(ctx.repos(), plan, { row: atLine, progress: () => bar?.increment() })
      .map((g) => [g.number, g.password]);
  } finally {
    bar?.stop();
  }
}

/** A repository refusal during the write still names the CSV line (and rolls everything back). */
function atLine(line: number, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw new ValidationError(`line ${line}: ${(err as Error).message}; nothing was written`);
  }
}
