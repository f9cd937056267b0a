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
  add(ext: NewExtension): Extension;                 // throws ConflictError if number exists
  get(number: string): Extension | undefined;
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

/** Everything src/data/ hands to the rest of the application. */
export interface Repositories {
  extensions: ExtensionRepository;
  devices: DeviceRepository;
  sightings: SightingRepository;
  provisioningLog: ProvisioningLogRepository;
  servedSnapshots: ServedSnapshotRepository;
  reports: DeviceReportRepository;
  settings: SettingsRepository;
  /** Runs fn in one SQLite transaction (all or nothing). */
  transaction<T>(fn: () => T): T;
  close(): void;
}
