import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openRepositories } from '../data/index.js';
import type { Repositories } from '../data/types.js';
import { createLogger, type Logger } from '../log.js';
import { loadDeviceModels } from '../provisioning/models.js';
import type { DeviceModel } from '../provisioning/model-types.js';

/** Where a command writes; tests pass string collectors, bin.ts passes process streams. */
export interface CliOutput {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Lazily built resources shared by the commands of one CLI run. */
export interface CliContext {
  io: CliIo;
  /** The config for this run (global --config / --data-dir applied). */
  config(): Config;
  repos(): Repositories;
  models(): Map<string, DeviceModel>;
  /** Logger for CLI-side work: warnings only, to stderr, so command output stays clean. */
  logger(): Logger;
  out(line?: string): void;
  err(line: string): void;
  /** Frees what was opened (database). Called once the command finished. */
  close(): void;
}

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
}

export function createCliContext(io: CliIo, program: Command): CliContext {
  let config: Config | undefined;
  let repos: Repositories | undefined;
  let models: Map<string, DeviceModel> | undefined;
  let logger: Logger | undefined;

  const ctx: CliContext = {
    io,
    config() {
      if (!config) {
        const opts = program.opts<GlobalOptions>();
        config = loadConfig({
          configFile: opts.config,
          env: io.env,
          cwd: io.cwd,
          overrides: opts.dataDir ? { dataDir: opts.dataDir } : undefined,
        });
      }
      return config;
    },
    repos() {
      repos ??= openRepositories({ dataDir: ctx.config().dataDir, logger: ctx.logger() });
      return repos;
    },
    models() {
      models ??= loadDeviceModels();
      return models;
    },
    logger() {
      logger ??= createLogger({ level: 'warn', destination: { write: (s: string) => io.stderr.write(s) } as NodeJS.WritableStream });
      return logger;
    },
    out(line = '') {
      io.stdout.write(`${line}\n`);
    },
    err(line) {
      io.stderr.write(`${line}\n`);
    },
    close() {
      repos?.close();
      repos = undefined;
    },
  };
  return ctx;
}

/** Left-aligned columns for list output; plain text, no colours, friendly to grep. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
