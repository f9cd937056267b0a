import type { Db } from '../db.js';
import type {
  DeviceReport, DeviceReportRepository, ServedSnapshot, ServedSnapshotRepository,
} from '../types.js';
import { parseMac } from '../../util/mac.js';

function macOrUndefined(mac: string): string | undefined {
  try {
    return parseMac(mac);
  } catch {
    return undefined;
  }
}

/** The last parameter map served per device (one row per MAC, replaced on each fetch). */
export function createServedSnapshotRepository(db: Db): ServedSnapshotRepository {
  const upsert = db.prepare(
    `INSERT INTO served_snapshots (mac, params, at) VALUES (?, ?, ?)
     ON CONFLICT(mac) DO UPDATE SET params = excluded.params, at = excluded.at`,
  );
  const select = db.prepare<[string], { mac: string; params: string; at: string }>(
    'SELECT * FROM served_snapshots WHERE mac = ?',
  );
  return {
    save(s: ServedSnapshot): void {
      upsert.run(parseMac(s.mac), JSON.stringify(s.params), s.at ?? new Date().toISOString());
    },
    get(mac) {
      const key = macOrUndefined(mac);
      const row = key ? select.get(key) : undefined;
      return row ? { mac: row.mac, params: JSON.parse(row.params) as Record<string, string>, at: row.at } : undefined;
    },
  };
}

/** The latest Report_Rule upload per device. */
export function createDeviceReportRepository(db: Db): DeviceReportRepository {
  const upsert = db.prepare(
    `INSERT INTO device_reports (mac, firmware, params, received_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(mac) DO UPDATE SET firmware = excluded.firmware, params = excluded.params,
       received_at = excluded.received_at`,
  );
  const select = db.prepare<[string], { mac: string; firmware: string | null; params: string; received_at: string }>(
    'SELECT * FROM device_reports WHERE mac = ?',
  );
  return {
    save(r: DeviceReport): void {
      upsert.run(parseMac(r.mac), r.firmware, JSON.stringify(r.params), r.receivedAt ?? new Date().toISOString());
    },
    latest(mac) {
      const key = macOrUndefined(mac);
      const row = key ? select.get(key) : undefined;
      return row
        ? {
            mac: row.mac,
            firmware: row.firmware,
            params: JSON.parse(row.params) as Record<string, string>,
            receivedAt: row.received_at,
          }
        : undefined;
    },
  };
}
