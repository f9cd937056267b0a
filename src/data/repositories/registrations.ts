import type { Db } from '../db.js';
import type { NewRegistration, Registration, RegistrationRepository, SipTransport } from '../types.js';
import { ValidationError } from '../../errors.js';
import { checkExtensionNumber } from '../validate.js';

interface RegistrationRow {
  extension: string;
  contact: string;
  expires_at: number;
  call_id: string;
  cseq: number;
  received_address: string;
  received_port: number;
  transport: string;
  user_agent: string | null;
  instance_id: string | null;
  registered_at: number;
}

const TRANSPORTS: readonly SipTransport[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
const MAX_CONTACT = 512;
const MAX_USER_AGENT = 256;

function toRegistration(row: RegistrationRow): Registration {
  return {
    extension: row.extension,
    contact: row.contact,
    expiresAt: row.expires_at,
    callId: row.call_id,
    cseq: row.cseq,
    receivedAddress: row.received_address,
    receivedPort: row.received_port,
    transport: row.transport as SipTransport,
    userAgent: row.user_agent,
    instanceId: row.instance_id,
    registeredAt: row.registered_at,
  };
}

function checkBinding(b: NewRegistration): NewRegistration {
  const extension = checkExtensionNumber(b.extension, 'extension');
  const where = `registration of extension ${extension}`;
  if (typeof b.contact !== 'string' || !/^sips?:\S+$/i.test(b.contact) || b.contact.length > MAX_CONTACT) {
    throw new ValidationError(`${where}: contact ${JSON.stringify(b.contact)} is not a sip: URI of up to ${MAX_CONTACT} characters`, 'contact');
  }
  for (const [field, value] of Object.entries({ expiresAt: b.expiresAt, registeredAt: b.registeredAt, cseq: b.cseq })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ValidationError(`${where}: ${field} must be a non-negative integer, got ${JSON.stringify(value)}`, field);
    }
  }
  if (!Number.isInteger(b.receivedPort) || b.receivedPort < 1 || b.receivedPort > 65535) {
    throw new ValidationError(`${where}: receivedPort ${JSON.stringify(b.receivedPort)} is not a port (1–65535)`, 'receivedPort');
  }
  if (typeof b.receivedAddress !== 'string' || b.receivedAddress.trim() === '') {
    throw new ValidationError(`${where}: receivedAddress is missing`, 'receivedAddress');
  }
  if (!TRANSPORTS.includes(b.transport)) {
    throw new ValidationError(`${where}: transport ${JSON.stringify(b.transport)} is not one of ${TRANSPORTS.join(', ')}`, 'transport');
  }
  if (typeof b.callId !== 'string' || b.callId === '') throw new ValidationError(`${where}: callId is missing`, 'callId');
  return {
    ...b,
    extension,
    userAgent: b.userAgent === null ? null : String(b.userAgent).slice(0, MAX_USER_AGENT),
  };
}

export function createRegistrationRepository(db: Db): RegistrationRepository {
  const upsert = db.prepare(
    `INSERT INTO registrations (extension, contact, expires_at, call_id, cseq, received_address, received_port,
       transport, user_agent, instance_id, registered_at)
     VALUES (@extension, @contact, @expiresAt, @callId, @cseq, @receivedAddress, @receivedPort,
       @transport, @userAgent, @instanceId, @registeredAt)
     ON CONFLICT (extension, contact) DO UPDATE SET
       expires_at = excluded.expires_at, call_id = excluded.call_id, cseq = excluded.cseq,
       received_address = excluded.received_address, received_port = excluded.received_port,
       transport = excluded.transport, user_agent = excluded.user_agent, instance_id = excluded.instance_id,
       registered_at = excluded.registered_at`,
  );
  const selectOne = db.prepare<[string, string], RegistrationRow>(
    'SELECT * FROM registrations WHERE extension = ? AND contact = ?',
  );
  const selectLive = db.prepare<[string, number], RegistrationRow>(
    'SELECT * FROM registrations WHERE extension = ? AND expires_at > ? ORDER BY expires_at DESC, id',
  );
  const selectAllLive = db.prepare<[number], RegistrationRow>(
    'SELECT * FROM registrations WHERE expires_at > ? ORDER BY CAST(extension AS INTEGER), extension, expires_at DESC, id',
  );
  const deleteOne = db.prepare('DELETE FROM registrations WHERE extension = ? AND contact = ?');
  const deleteAll = db.prepare('DELETE FROM registrations WHERE extension = ?');
  const deleteExpired = db.prepare('DELETE FROM registrations WHERE expires_at <= ?');
  const extensionExists = db.prepare<[string], { number: string }>('SELECT number FROM extensions WHERE number = ?');

  return {
    save(binding) {
      const b = checkBinding(binding);
      if (!extensionExists.get(b.extension)) {
        throw new ValidationError(`registration: extension ${b.extension} does not exist`, 'extension');
      }
      upsert.run({ ...b });
      return toRegistration(selectOne.get(b.extension, b.contact)!);
    },
    get(extension, contact) {
      const row = selectOne.get(String(extension).trim(), contact);
      return row ? toRegistration(row) : undefined;
    },
    live: (extension, now) => selectLive.all(String(extension).trim(), now).map(toRegistration),
    allLive: (now) => selectAllLive.all(now).map(toRegistration),
    remove: (extension, contact) => deleteOne.run(String(extension).trim(), contact).changes > 0,
    removeAll: (extension) => deleteAll.run(String(extension).trim()).changes,
    sweep: (now) => deleteExpired.run(now).changes,
  };
}
