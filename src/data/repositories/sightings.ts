import type { Db } from '../db.js';
import type { NewSighting, Sighting, SightingRepository } from '../types.js';
import { parseMac } from '../../util/mac.js';

/**
 * Every request from anything on the network adds a row, including scanners and
 * misconfigured devices retrying every few seconds. Without a cap the table (and the
 * disk) grows without bound; the installer page only needs recent history.
 */
export const DEFAULT_MAX_SIGHTINGS = 100_000;

interface SightingRow {
  id: number;
  mac: string | null;
  model: string | null;
  firmware: string | null;
  ip: string;
  user_agent: string | null;
  file: string;
  transport: 'http' | 'tftp';
  at: string;
}

function toSighting(r: SightingRow): Sighting {
  return {
    id: r.id, mac: r.mac, model: r.model, firmware: r.firmware, ip: r.ip,
    userAgent: r.user_agent, file: r.file, transport: r.transport, at: r.at,
  };
}

/** Keeps text from the network bounded before it is stored (user agents can be anything). */
export function clip(value: string | null | undefined, max = 512): string | null {
  if (value === null || value === undefined) return null;
  return value.length > max ? value.slice(0, max) : value;
}

export function createSightingRepository(db: Db, maxRows = DEFAULT_MAX_SIGHTINGS): SightingRepository {
  const insert = db.prepare(
    `INSERT INTO sightings (mac, model, firmware, ip, user_agent, file, transport, at)
     VALUES (@mac, @model, @firmware, @ip, @userAgent, @file, @transport, @at)`,
  );
  // Deleting by id range is an index walk on the primary key: cheap on every insert.
  const prune = db.prepare('DELETE FROM sightings WHERE id <= ?');
  const recent = db.prepare<[number], SightingRow>('SELECT * FROM sightings ORDER BY id DESC LIMIT ?');
  const latestForMac = db.prepare<[string], SightingRow>(
    'SELECT * FROM sightings WHERE mac = ? ORDER BY id DESC LIMIT 1',
  );
  const unassigned = db.prepare<[number], SightingRow>(
    `SELECT s.* FROM sightings s
       JOIN (SELECT MAX(id) AS id FROM sightings
              WHERE mac IS NOT NULL AND mac NOT IN (SELECT mac FROM devices)
              GROUP BY mac) latest ON latest.id = s.id
      ORDER BY s.id DESC LIMIT ?`,
  );

  return {
    record(s: NewSighting): Sighting {
      let mac: string | null = null;
      if (s.mac) {
        try {
          mac = parseMac(s.mac);
        } catch {
          mac = null; // a garbage MAC from the network is not worth failing a request over
        }
      }
      const row = {
        mac,
        model: clip(s.model, 64),
        firmware: clip(s.firmware, 64),
        ip: clip(s.ip, 64) ?? '',
        userAgent: clip(s.userAgent),
        file: clip(s.file) ?? '',
        transport: s.transport,
        at: s.at ?? new Date().toISOString(),
      };
      const id = Number(insert.run(row).lastInsertRowid);
      if (id > maxRows) prune.run(id - maxRows);
      // Built from what was inserted: this runs on every provisioning request, skip a read-back.
      return { id, ...row };
    },
    recent: (limit) => recent.all(boundedLimit(limit)).map(toSighting),
    latestForMac(mac) {
      try {
        const row = latestForMac.get(parseMac(mac));
        return row ? toSighting(row) : undefined;
      } catch {
        return undefined;
      }
    },
    unassigned: (limit) => unassigned.all(boundedLimit(limit)).map(toSighting),
  };
}

export function boundedLimit(limit: number, max = 10_000): number {
  if (!Number.isFinite(limit) || limit < 1) return 1;
  return Math.min(Math.trunc(limit), max);
}
