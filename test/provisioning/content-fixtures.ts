/** Shared fixtures for the provisioning content tests: plain objects, no database. */
import { parseStringPromise } from 'xml2js';
import type { Config } from '../../src/config-types.js';
import type { Device, Extension } from '../../src/data/types.js';
import type { RenderEnv } from '../../src/provisioning/context.js';
import { loadDeviceModels } from '../../src/provisioning/models.js';
import { createProfileRenderer, type ProfileRenderer } from '../../src/provisioning/render.js';

export const provisioning: Config['provisioning'] = {
  allowCidrs: [],
  resyncPeriodicSeconds: 3600,
  resyncErrorRetrySeconds: 300,
  resyncRandomDelay: 2,
  timezone: 'Europe/Warsaw',
  ntpServer: 'pool.ntp.org',
  region: 'pl',
  maxReportBytes: 1024 * 1024,
  notFoundLimit: { max: 20, windowSeconds: 60, blockSeconds: 300 },
};

export function env(over: Partial<RenderEnv> = {}): RenderEnv {
  return { publicHost: '192.0.2.10', httpPort: 8080, sipPort: 5060, sipDomain: null, provisioning, settings: {}, ...over };
}

export function ext(number: string, displayName: string, sipPassword = `pw-${number}-secret`): Extension {
  return { number, displayName, sipPassword, emails: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
}

export const extensions = new Map<string, Extension>([
  ['10', ext('10', 'Łucja Żak', 'S3cr<e>t&"\'10')],
  ['11', ext('11', 'Jürgen Groß')],
  ['12', ext('12', 'Zdeněk Dvořák')],
  ['102', ext('102', 'Reception & <Lobby>')],
  ['21', ext('21', 'Anna Nowak')],
]);

export const TOKEN = 'Tok3n_secret-ABCDEFGHIJKLMNOP';

export function spa303(over: Partial<Device> = {}): Device {
  return {
    mac: '0011223344aa', model: 'spa303', label: '', lines: ['10', '11'],
    functionKeys: [{ key: 3, kind: 'blf', target: '102', label: 'Boss "A" & <B>' }],
    hookFlashPreset: null, hookFlashMin: null, hookFlashMax: null, region: null,
    adminPassword: 'AdminPw-303', provisioningToken: TOKEN, secretUrlConfirmed: false,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...over,
  };
}

export function spa112(over: Partial<Device> = {}): Device {
  return {
    mac: '88755a123456', model: 'spa112', label: 'Kitchen', lines: ['21'], functionKeys: [],
    hookFlashPreset: null, hookFlashMin: null, hookFlashMax: null, region: null,
    adminPassword: 'AdminPw-112', provisioningToken: TOKEN, secretUrlConfirmed: false,
    createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...over,
  };
}

export const models = loadDeviceModels();

export function renderer(over: Partial<RenderEnv> = {}): ProfileRenderer {
  return createProfileRenderer({ models, env: env(over) });
}

/**
 * Parses a profile with xml2js (an independent parser, not ours) into the flat-profile's
 * children: name → text, with nested router-configuration kept as an object.
 */
export async function parseProfile(body: string): Promise<{ flat: Record<string, unknown>; order: string[] }> {
  const doc = await parseStringPromise(body, { explicitArray: false, explicitChildren: true, preserveChildrenOrder: true, charsAsChildren: false });
  const root = doc['flat-profile'];
  const flat: Record<string, unknown> = {};
  const order: string[] = [];
  for (const child of (root.$$ ?? []) as Array<{ '#name': string; _?: string; $$?: unknown[] }>) {
    order.push(child['#name']);
    flat[child['#name']] = child.$$ ? child : (child._ ?? '');
  }
  return { flat, order };
}

/** Every element name in a document (containers included), collected by xml2js. */
export async function allElementNames(body: string): Promise<string[]> {
  const doc = await parseStringPromise(body, { explicitChildren: true, preserveChildrenOrder: true });
  const names = new Set<string>();
  const walk = (name: string, node: { $$?: Array<{ '#name': string }> }) => {
    names.add(name);
    for (const c of node.$$ ?? []) walk(c['#name'], c as { $$?: Array<{ '#name': string }> });
  };
  for (const [name, node] of Object.entries(doc)) walk(name, node as { $$?: Array<{ '#name': string }> });
  return [...names];
}
