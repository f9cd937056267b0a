/** Rendered profile (secrets masked) and its diff against what the device last fetched. */
import type { Device, Extension, Repositories } from '../data/types.js';
import type { ProfileRenderer } from '../provisioning/render.js';
import { diffParams, type ParamChange } from '../provisioning/diff.js';

export interface DevicePreview {
  body: string;
  /** Null when the device never fetched a full profile. */
  diff: ParamChange[] | null;
  lastFetchedAt: string | null;
}

export function devicePreview(
  deps: { repos: Pick<Repositories, 'extensions' | 'servedSnapshots' | 'reports'>; renderer: Pick<ProfileRenderer, 'renderDevice'> },
  device: Device,
): DevicePreview {
  const extensions = new Map<string, Extension>();
  for (const n of device.lines) {
    const e = deps.repos.extensions.get(n);
    if (e) extensions.set(n, e);
  }
  const report = deps.repos.reports.latest(device.mac) ?? null;
  const masked = deps.renderer.renderDevice(device, extensions, { report, maskSecrets: true });
  const snapshot = deps.repos.servedSnapshots.get(device.mac);
  let diff: ParamChange[] | null = null;
  if (snapshot) {
    // Diff the real values (a rotated password must show as changed); diffParams masks secrets.
    const full = deps.renderer.renderDevice(device, extensions, { report });
    diff = diffParams(snapshot.params, full.params, [...full.secretParams, ...Object.keys(snapshot.params).filter((n) => full.secretParams.includes(n))]);
  }
  return { body: masked.body, diff, lastFetchedAt: snapshot?.at ?? null };
}
