import type { Db } from '../db.js';
import type { NewProvisioningLogEntry, ProvisioningLogEntry, ProvisioningLogRepository } from '../types.js';
import { parseMac } from '../../util/mac.js';
import { boundedLimit, clip } from './sightings.js';

/** Same reasoning as sightings: one row per served file, capped so the disk cannot fill. */
export const DEFAULT_MAX_LOG_ENTRIES = 100_000;

interface LogRow {
  id: number;
  mac: string | null;
  file: string;
  body_sha256: string;
  client_ip: string;
  transport: 'http' | 'tftp';
  at: string;
}

function toEntry(r: LogRow): ProvisioningLogEntry {
  return {
    id: r.id, mac: r.mac, file: r.file, bodySha256: r.body_sha256,
    clientIp: r.client_ip, transport: r.transport, at: r.at,
  };
}

export function createProvisioningLogRepository(db: Db, maxRows = DEFAULT_MAX_LOG_ENTRIES): ProvisioningLogRepository {
  const insert = db.prepare(
    `INSERT INTO provisioning_log (mac, file, body_sha256, client_ip, transport, at)
     VALUES (@mac, @file, @bodySha256, @clientIp, @transport, @at)`,
  );
  const prune = db.prepare('DELETE FROM provisioning_log WHERE id <= ?');
  const recent = db.prepare<[number], LogRow>('SELECT * FROM provisioning_log ORDER BY id DESC LIMIT ?');
  const lastForMac = db.prepare<[string], LogRow>(
    'SELECT * FROM provisioning_log WHERE mac = ? ORDER BY id DESC LIMIT 1',
  );

  return {
    append(e: NewProvisioningLogEntry): ProvisioningLogEntry {
      let mac: string | null = null;
      if (e.mac) {
        try {
          mac = parseMac(e.mac);
        } catch {
          mac = null;
        }
      }
      const row = {
        mac,
        file: clip(e.file) ?? '',
        bodySha256: e.bodySha256,
        clientIp: clip(e.clientIp, 64) ?? '',
        transport: e.transport,
        at: e.at ?? new Date().toISOString(),
      };
      const id = Number(insert.run(row).lastInsertRowid);
      if (id > maxRows) prune.run(id - maxRows);
      return { id, ...row };
    },
    recent: (limit) => recent.all(boundedLimit(limit)).map(toEntry),
    lastForMac(mac) {
      try {
        const row = lastForMac.get(parseMac(mac));
        return row ? toEntry(row) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
