/**
 * Firmware images: served only when the file is listed in a model JSON (the allow-list)
 * AND present in <dataDir>/firmware. The requested name is looked up among the listed
 * names, never joined to a path as given, so nothing outside the directory is reachable.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Models } from './identify.js';
import { modelList } from './identify.js';

export type FirmwareLookup =
  | { found: true; path: string; size: number; file: string }
  | { found: false; reason: string };

export interface FirmwareStore {
  find(file: string): Promise<FirmwareLookup>;
}

export function createFirmwareStore(opts: { models: Models; firmwareDir: string }): FirmwareStore {
  const listed = new Set(modelList(opts.models).flatMap((m) => m.firmware.map((f) => f.file)));
  return {
    async find(file) {
      if (!listed.has(file)) return { found: false, reason: `firmware ${file} is not listed in any device model` };
      const path = join(opts.firmwareDir, file);
      try {
        const info = await stat(path);
        if (!info.isFile()) return { found: false, reason: `firmware ${file} is not a regular file` };
        return { found: true, path, size: info.size, file };
      } catch {
        return { found: false, reason: `firmware ${file} is listed but not present in ${opts.firmwareDir}` };
      }
    },
  };
}
