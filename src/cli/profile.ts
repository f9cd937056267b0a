/**
 * `device render` / `device diff`: the CLI renders exactly as the provisioning pipeline does
 * (same renderer, same extension lookup), so what it prints is what a device would get.
 */
import type { Device, Extension, Repositories } from '../data/types.js';
import { createProfileRenderer, type ProfileRenderer } from '../provisioning/render.js';
import { renderEnvFromConfig } from '../provisioning/render-env.js';
import { isSecretParam } from '../provisioning/diff.js';
import type { CliContext } from './context.js';

export function createCliRenderer(ctx: CliContext): ProfileRenderer {
  const config = ctx.config();
  return createProfileRenderer({ models: ctx.models(), env: renderEnvFromConfig(config, ctx.repos().settings.all()) });
}

/** Same lookup as the pipeline: lines plus function-key targets that are extensions. */
export function extensionsFor(repos: Repositories, device: Device): Map<string, Extension> {
  const found = new Map<string, Extension>();
  for (const number of new Set([...device.lines, ...device.functionKeys.map((k) => k.target)])) {
    const ext = repos.extensions.get(number);
    if (ext) found.set(number, ext);
  }
  return found;
}

export interface ParamDifference {
  name: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
  secret: boolean;
}

/** Parameter-by-parameter difference; callers print secrets as "(changed)", never values. */
export function compareParams(
  before: Record<string, string>, after: Record<string, string>, secretNames: Iterable<string> = [],
  opts: { onlyNamesIn?: 'after' } = {},
): ParamDifference[] {
  const secret = new Set(secretNames);
  const names = opts.onlyNamesIn === 'after' ? Object.keys(after) : [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const out: ParamDifference[] = [];
  for (const name of names.sort()) {
    const has0 = Object.hasOwn(before, name);
    const has1 = Object.hasOwn(after, name);
    const isSecret = secret.has(name) || isSecretParam(name);
    if (has0 && !has1) out.push({ name, change: 'removed', before: before[name], secret: isSecret });
    else if (!has0 && has1) out.push({ name, change: 'added', after: after[name], secret: isSecret });
    else if (before[name] !== after[name]) out.push({ name, change: 'changed', before: before[name], after: after[name], secret: isSecret });
  }
  return out;
}

export function formatDifference(d: ParamDifference, labels: { before: string; after: string }): string {
  if (d.secret) {
    if (d.change === 'changed') return `  ~ ${d.name}: (changed)`;
    return `  ${d.change === 'added' ? '+' : '-'} ${d.name}: (secret, ${d.change === 'added' ? `only in ${labels.after}` : `only in ${labels.before}`})`;
  }
  switch (d.change) {
    case 'changed':
      return `  ~ ${d.name}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`;
    case 'added':
      return `  + ${d.name}: ${JSON.stringify(d.after)} (only in ${labels.after})`;
    case 'removed':
      return `  - ${d.name}: ${JSON.stringify(d.before)} (only in ${labels.before})`;
  }
}
