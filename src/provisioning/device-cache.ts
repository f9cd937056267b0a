/**
 * Short-lived memory of device + extension lookups for the provisioning hot path. A boot
 * storm (every phone of an office after a power cut) asks for the same few hundred
 * devices many times a second; each lookup is four SQLite reads. Entries live `ttlMs`
 * (an admin's edit reaches devices at most that late; devices resync minutes apart, so
 * it is invisible to them) and are dropped at once when the pipeline itself writes.
 * Unknown MACs are never cached, so a newly added device is served immediately.
 */
import type { Device, Extension, Mac, Repositories } from '../data/types.js';

export interface DeviceEntry {
  device: Device;
  extensions: Map<string, Extension>;
  /**
   * Results derived from this entry (rendered profiles), valid exactly as long as the
   * entry: whatever invalidates the lookup invalidates them too.
   */
  memo: Map<string, unknown>;
}

export interface DeviceCache {
  byMac(mac: Mac): DeviceEntry | undefined;
  byToken(token: string): DeviceEntry | undefined;
  invalidate(mac: Mac): void;
}

interface Cached extends DeviceEntry {
  expiresAt: number;
}

const MAX_ENTRIES = 20_000;

export function createDeviceCache(opts: {
  repos: Pick<Repositories, 'devices' | 'extensions'>;
  ttlMs: number;
  now?: () => number;
}): DeviceCache {
  const { repos, ttlMs } = opts;
  const now = opts.now ?? Date.now;
  const entries = new Map<Mac, Cached>();
  const macByToken = new Map<string, Mac>();

  function load(device: Device | undefined): DeviceEntry | undefined {
    if (!device) return undefined;
    const numbers = new Set<string>([...device.lines, ...device.functionKeys.map((k) => k.target)]);
    const extensions = new Map<string, Extension>();
    for (const number of numbers) {
      const ext = repos.extensions.get(number);
      if (ext) extensions.set(number, ext);
    }
    const entry: DeviceEntry = { device, extensions, memo: new Map() };
    if (ttlMs > 0) {
      if (entries.size >= MAX_ENTRIES) {
        entries.clear();
        macByToken.clear();
      }
      entries.set(device.mac, { ...entry, expiresAt: now() + ttlMs });
      macByToken.set(device.provisioningToken, device.mac);
    }
    return entry;
  }

  function fresh(mac: Mac | undefined): Cached | undefined {
    if (!mac) return undefined;
    const cached = entries.get(mac);
    if (!cached) return undefined;
    if (now() >= cached.expiresAt) {
      entries.delete(mac);
      macByToken.delete(cached.device.provisioningToken);
      return undefined;
    }
    return cached;
  }

  return {
    byMac: (mac) => fresh(mac) ?? load(repos.devices.get(mac)),
    byToken(token) {
      const cached = fresh(macByToken.get(token));
      if (cached && cached.device.provisioningToken === token) return cached;
      return load(repos.devices.getByToken(token));
    },
    invalidate(mac) {
      const cached = entries.get(mac);
      if (cached) macByToken.delete(cached.device.provisioningToken);
      entries.delete(mac);
    },
  };
}
