/**
 * Domain records and repository contracts. Only src/data/ implements these with
 * better-sqlite3; every other feature receives repositories as typed arguments.
 */

/** A MAC address normalised to 12 lowercase hex digits, e.g. "0011223344aa". */
export type Mac = string;

export interface Extension {
  number: string;            // 2–4 digits, e.g. "10", "21", "102"
  displayName: string;       // may contain non-ASCII ("Łucja Żak"); transliterated when rendered
  sipPassword: string;       // the SIP digest secret (needed in clear for profiles and digest auth)
  emails: string[];          // voicemail/notification recipients, may be empty
  createdAt: string;         // ISO 8601
  updatedAt: string;
}

export interface NewExtension {
  number: string;
  displayName: string;
  sipPassword: string;
  emails?: string[];
}

/** What one function key of a SPA303 that is not used as a line carries. */
export interface FunctionKey {
  key: number;               // 1-based line key index on the phone
  kind: 'blf' | 'speeddial';
  target: string;            // extension number or dial string
  label?: string;
}

export interface Device {
  mac: Mac;
  model: string;             // firmware-profiles/<model>.json id, e.g. "spa303", "spa112"
  label: string;
  /** Extension numbers in order: SPA303 lines/line keys 1..3, SPA112 ports 1..2. */
  lines: string[];
  functionKeys: FunctionKey[];
  /** SPA112: named hook-flash preset, or explicit timers in seconds. */
  hookFlashPreset: string | null;
  hookFlashMin: number | null;
  hookFlashMax: number | null;
  region: string | null;     // regional preset id (e.g. "pl"); null = settings default
  adminPassword: string;     // generated per device, goes into Admin_Passwd / Web_Login_Admin_Password
  provisioningToken: string; // random token of the per-device secret profile URL
  /** True once the device fetched through its secret URL: the plain MAC URL then serves no secrets. */
  secretUrlConfirmed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewDevice {
  mac: Mac;
  model: string;
  label?: string;
  lines: string[];
  functionKeys?: FunctionKey[];
  hookFlashPreset?: string | null;
  hookFlashMin?: number | null;
  hookFlashMax?: number | null;
  region?: string | null;
}

export type DevicePatch = Partial<Omit<NewDevice, 'mac'>> & {
  secretUrlConfirmed?: boolean;
  provisioningToken?: string;
  adminPassword?: string;
};

export type Transport = 'http' | 'tftp';

/** Every contact from a device (known or not): feeds the installer page and the dashboard. */
export interface Sighting {
  id: number;
  mac: Mac | null;
  model: string | null;
  firmware: string | null;
  ip: string;
  userAgent: string | null;
  file: string;
  transport: Transport;
  at: string;
}
export type NewSighting = Omit<Sighting, 'id' | 'at'> & { at?: string };

/** One served profile. Never holds secrets: only a hash of the body. */
export interface ProvisioningLogEntry {
  id: number;
  mac: Mac | null;
  file: string;
  bodySha256: string;
  clientIp: string;
  transport: Transport;
  at: string;
}
export type NewProvisioningLogEntry = Omit<ProvisioningLogEntry, 'id' | 'at'> & { at?: string };

/** The parameter map last served to a device (used by `device diff`). */
export interface ServedSnapshot {
  mac: Mac;
  params: Record<string, string>;
  at: string;
}

/** Parsed Report_Rule upload: what the device really runs. */
export interface DeviceReport {
  mac: Mac;
  firmware: string | null;
  params: Record<string, string>;
  receivedAt: string;
}

export interface ExtensionRepository {
  /** ConflictError if the number is an extension already, or a queue, entry number or department mailbox. */
  add(ext: NewExtension): Extension;
  get(number: string): Extension | undefined;
  /** The first number from `start` up (same digit count) that nothing in the dial plan uses. */
  freeNumberFrom(start: string): string | undefined;
  list(): Extension[];
  update(number: string, patch: Partial<Omit<NewExtension, 'number'>>): Extension; // NotFoundError
  remove(number: string): boolean;
}

export interface DeviceRepository {
  add(device: NewDevice): Device;                    // generates adminPassword + provisioningToken
  get(mac: Mac): Device | undefined;
  getByToken(token: string): Device | undefined;
  list(): Device[];
  update(mac: Mac, patch: DevicePatch): Device;
  remove(mac: Mac): boolean;
  /** Admin reopened the plain-MAC window: secretUrlConfirmed=false (token kept). */
  reopen(mac: Mac): Device;
}

export interface SightingRepository {
  record(s: NewSighting): Sighting;
  recent(limit: number): Sighting[];
  latestForMac(mac: Mac): Sighting | undefined;
  /** Seen on the network but not assigned to any device. */
  unassigned(limit: number): Sighting[];
}

export interface ProvisioningLogRepository {
  append(e: NewProvisioningLogEntry): ProvisioningLogEntry;
  recent(limit: number): ProvisioningLogEntry[];
  lastForMac(mac: Mac): ProvisioningLogEntry | undefined;
}

export interface ServedSnapshotRepository {
  save(s: ServedSnapshot): void;
  get(mac: Mac): ServedSnapshot | undefined;
}

export interface DeviceReportRepository {
  save(r: DeviceReport): void;
  latest(mac: Mac): DeviceReport | undefined;
}

export interface SettingsRepository {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  all(): Record<string, unknown>;
}

/* ---- PBX ---------------------------------------------------------------------------- */

export type SipTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** One registered contact of an extension (a phone line). Times are epoch milliseconds. */
export interface Registration {
  extension: string;
  /** The Contact URI as the phone sent it, e.g. "sip:102@192.168.1.20:5060". */
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER came from: behind NAT this, not the Contact host, reaches the phone. */
  receivedAddress: string;
  receivedPort: number;
  transport: SipTransport;
  userAgent: string | null;
  instanceId: string | null;
  registeredAt: number;
}

export type NewRegistration = Registration;

export interface RegistrationRepository {
  /** Inserts or refreshes the binding (extension, contact). Unknown extension → ValidationError. */
  save(binding: NewRegistration): Registration;
  get(extension: string, contact: string): Registration | undefined;
  /** Bindings of the extension that are still live at `now`, soonest expiry last. */
  live(extension: string, now: number): Registration[];
  /** Every live binding (all extensions), by extension. */
  allLive(now: number): Registration[];
  remove(extension: string, contact: string): boolean;
  removeAll(extension: string): number;
  /** Deletes bindings that expired at or before `now`; returns how many. */
  sweep(now: number): number;
}

/**
 * Forwarding rules per extension, stored as the JSON the PBX validated (src/pbx/ owns their
 * shape; data stays the bottom layer and does not import it).
 */
export interface ForwardingRepository {
  get(extension: string): Record<string, unknown> | undefined;
  /** Unknown extension → ValidationError. An empty object clears the forwarding. */
  set(extension: string, rules: Record<string, unknown>): void;
}

/** An entry number's definition ({schedule, inHours, afterHours}) as stored JSON. */
export interface StoredEntryNumber {
  number: string;
  definition: Record<string, unknown>;
  updatedAt: string;
}

export interface EntryNumberRepository {
  get(number: string): StoredEntryNumber | undefined;
  list(): StoredEntryNumber[];
  save(number: string, definition: Record<string, unknown>): StoredEntryNumber;
  remove(number: string): boolean;
}

/**
 * How a call ended. 'answered': a person (or the caller's own mailbox, *97) took it; 'voicemail':
 * it ended in a voicemail deposit (directly, forwarded, transferred or overflowing from a queue);
 * 'abandoned': the caller hung up while waiting in a queue; the rest: nobody took it.
 */
export type CallDisposition = 'answered' | 'busy' | 'no-answer' | 'unavailable' | 'cancelled' | 'failed' | 'voicemail' | 'abandoned';

/** Something that happened during a call besides answer/hang-up (transfer, forward, …). */
export interface CallEvent {
  kind: string;
  at: string;
  [detail: string]: unknown;
}

export interface CallRecord {
  id: number;
  callId: string;
  caller: string;
  callee: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  disposition: CallDisposition | null;
  events: CallEvent[];
}

export interface CdrFilter {
  /** Matches caller or callee. */
  party?: string;
  caller?: string;
  callee?: string;
  /** ISO 8601, inclusive / exclusive bounds on startedAt. */
  since?: string;
  until?: string;
  disposition?: CallDisposition;
  /** Newest first; default 100, at most 10000. */
  limit?: number;
  /** Rows to skip (paging); default 0. Order is stable: startedAt then id, newest first. */
  offset?: number;
}

export interface CdrRepository {
  start(call: { callId: string; caller: string; callee: string; at?: string }): CallRecord;
  answer(id: number, at?: string): void;
  end(id: number, disposition: CallDisposition, at?: string): void;
  addEvent(id: number, event: Omit<CallEvent, 'at'> & { at?: string }): void;
  get(id: number): CallRecord | undefined;
  list(filter?: CdrFilter): CallRecord[];
  /** How many records match (limit and offset ignored), for paging. */
  count(filter?: Omit<CdrFilter, 'limit' | 'offset'>): number;
}

export type * from './web-types.js';
export type * from './voicemail-types.js';
export * from './queue-types.js';
import type { MailboxRepository, MailOutboxRepository, VoicemailMessageRepository } from './voicemail-types.js';
import type {
  ApiTokenRepository, AuditRepository, SessionRepository, SetupLinkRepository, UserRepository,
} from './web-types.js';

/** Everything src/data/ hands to the rest of the application. */
export interface Repositories {
  extensions: ExtensionRepository;
  devices: DeviceRepository;
  sightings: SightingRepository;
  provisioningLog: ProvisioningLogRepository;
  servedSnapshots: ServedSnapshotRepository;
  reports: DeviceReportRepository;
  settings: SettingsRepository;
  registrations: RegistrationRepository;
  forwarding: ForwardingRepository;
  entryNumbers: EntryNumberRepository;
  cdr: CdrRepository;
  /* web UI and API (web-types.ts) */
  users: UserRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  setupLinks: SetupLinkRepository;
  audit: AuditRepository;
  /* voicemail (voicemail-types.ts) */
  mailboxes: MailboxRepository;
  voicemailMessages: VoicemailMessageRepository;
  mailOutbox: MailOutboxRepository;
  /* call queues (queue-types.ts) */
  queues: import('./queue-types.js').QueueRepository;
  /** Runs fn in one SQLite transaction (all or nothing). */
  transaction<T>(fn: () => T): T;
  close(): void;
}
