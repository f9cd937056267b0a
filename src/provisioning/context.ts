/**
 * Turns a device, its extensions and the server settings into the view a device template
 * renders. Every string in the view is already ASCII and XML-escaped (templates are compiled
 * with noEscape), so templates stay plain lists of parameter names.
 */
import { ValidationError } from '../errors.js';
import type { Config } from '../config-types.js';
import type { Device, DeviceReport, Extension } from '../data/types.js';
import { buildDialPlan, validateDialPlan } from './dial-plan.js';
import { compareFirmwareVersions } from './firmware-version.js';
import { resolveHookFlash } from './hook-flash.js';
import type { DeviceModel, FirmwareImage } from './model-types.js';
import { regionParamsFor, regionPreset, type RegionParam } from './regions.js';
import { spaTimeZone, type SpaTimeZone } from './timezones.js';
import { bootstrapProfileRule, firmwareUrl, reportRule, secretProfileRule, type UrlEnv } from './urls.js';
import { xmlValue, yesNo } from './xml.js';

export interface RenderEnv {
  publicHost: string;
  httpPort: number;
  sipPort: number;
  /** SIP domain; null = publicHost. */
  sipDomain: string | null;
  provisioning: Config['provisioning'];
  /**
   * Admin overrides from the settings table. Keys used (all optional):
   *   region           string    default regional preset ("pl", "us"); devices may override; default provisioning.region
   *   timezone         string    IANA zone from the SPA table (timezones.ts); default provisioning.timezone
   *   ntpServer        string    NTP server; default provisioning.ntpServer
   *   voicemailNumber  string    what the Messages key / voicemail access dials; default "*97"
   *   dialPlan         string    complete dial plan "( … )" replacing the generated one
   *   dialPlanExtras   string[]  extra dial-plan alternatives, e.g. queue numbers or "0xxxxxxxxx."
   *   registerExpires  number    Register_Expires_N_ seconds (60–86400); default 3600
   */
  settings: Record<string, unknown>;
}

export const DEFAULT_VOICEMAIL_NUMBER = '*97';
export const DEFAULT_REGISTER_EXPIRES = 3600;
/** The bootstrap's resync period: soon after it the device fetches its per-MAC profile. */
export const BOOTSTRAP_RESYNC_SECONDS = 30;
/** Resync period in a full profile served on the plain URL: come back soon via the secret URL. */
export const HANDOFF_RESYNC_SECONDS = 10;
/** The device's error-retry delay: 0 means "retry now" on some firmware, "never" on others. */
const MIN_ERROR_RETRY_SECONDS = 30;

/** Settings-derived values, computed once per settings change, never per request. */
export interface ResolvedSettings {
  urlEnv: UrlEnv;
  /** Proxy_N_ / Voice_Mail_Server_N_: the SIP domain, with :port when not 5060. */
  proxy: string;
  sipDomain: string;
  defaultRegion: string;
  timeZone: SpaTimeZone;
  ntpServer: string;
  voicemailNumber: string;
  dialPlan: string;
  registerExpires: number;
  resync: { periodic: number; errorRetry: number; randomDelay: number };
}

function stringSetting(settings: Record<string, unknown>, key: string, fallback: string): string {
  const v = settings[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || v.trim() === '') throw new ValidationError(`setting "${key}" must be a non-empty string`, key);
  return v.trim();
}

export function resolveSettings(env: RenderEnv): ResolvedSettings {
  const { settings, provisioning } = env;
  const sipDomain = env.sipDomain ?? env.publicHost;
  const defaultRegion = stringSetting(settings, 'region', provisioning.region);
  regionPreset(defaultRegion, 'region'); // unknown regions fail now, not at the first request
  const voicemailNumber = stringSetting(settings, 'voicemailNumber', DEFAULT_VOICEMAIL_NUMBER);
  const extras = settings.dialPlanExtras ?? [];
  if (!Array.isArray(extras) || extras.some((e) => typeof e !== 'string')) {
    throw new ValidationError('setting "dialPlanExtras" must be a list of dial-plan strings', 'dialPlanExtras');
  }
  const dialPlan = settings.dialPlan !== undefined && settings.dialPlan !== null
    ? validateDialPlan(stringSetting(settings, 'dialPlan', ''), 'dialPlan')
    : buildDialPlan({ voicemailNumber, extras: extras as string[] });
  const registerExpires = settings.registerExpires ?? DEFAULT_REGISTER_EXPIRES;
  if (typeof registerExpires !== 'number' || !Number.isInteger(registerExpires) || registerExpires < 60 || registerExpires > 86400) {
    throw new ValidationError('setting "registerExpires" must be whole seconds from 60 to 86400', 'registerExpires');
  }
  return {
    urlEnv: { publicHost: env.publicHost, httpPort: env.httpPort },
    proxy: env.sipPort === 5060 ? sipDomain : `${sipDomain}:${env.sipPort}`,
    sipDomain,
    defaultRegion,
    timeZone: spaTimeZone(stringSetting(settings, 'timezone', provisioning.timezone), 'timezone'),
    ntpServer: stringSetting(settings, 'ntpServer', provisioning.ntpServer),
    voicemailNumber,
    dialPlan,
    registerExpires,
    resync: {
      periodic: Math.max(0, Math.round(provisioning.resyncPeriodicSeconds)),
      errorRetry: Math.max(MIN_ERROR_RETRY_SECONDS, Math.round(provisioning.resyncErrorRetrySeconds)),
      randomDelay: Math.max(0, Math.round(provisioning.resyncRandomDelay)),
    },
  };
}

// ---- views -------------------------------------------------------------------------------

export interface ResyncView { periodic: number; errorRetry: number; randomDelay: number }

export interface BootstrapView {
  isPhone: boolean;
  profileRule: string;
  resync: ResyncView;
  lines: number[];
}

export interface LineView {
  n: number;
  enabled: boolean;
  number: string;
  userId: string;
  password: string;
  displayName: string;
}

export interface KeyView { k: number; extendedFunction: string; line: number }

export interface DeviceView {
  isPhone: boolean;
  profileRule: string;
  reportRule: string;
  upgradeRule: string | null;
  resync: ResyncView;
  adminPassword: string;
  stationName: string;
  proxy: string;
  voicemailNumber: string;
  dialPlan: string;
  registerExpires: number;
  time: { ntpServer: string; timeZone: string; dstEnable: string; dstRule: string };
  lines: LineView[];
  /** Keys not used as lines: BLF/speed dial, or blank. Emitted before lineKeys. */
  functionKeys: KeyView[];
  lineKeys: KeyView[];
  region: RegionParam[];
  hookFlash: { min: number; max: number } | null;
}

export interface WithoutSecretsView { resync: ResyncView }

export function bootstrapView(model: DeviceModel, s: ResolvedSettings): BootstrapView {
  return {
    isPhone: model.kind === 'phone',
    profileRule: xmlValue(bootstrapProfileRule(s.urlEnv)),
    resync: { ...s.resync, periodic: BOOTSTRAP_RESYNC_SECONDS },
    lines: Array.from({ length: model.lines }, (_, i) => i + 1),
  };
}

export function withoutSecretsView(s: ResolvedSettings): WithoutSecretsView {
  return { resync: s.resync };
}

const newestByModel = new WeakMap<DeviceModel, FirmwareImage | null>();

export function newestFirmware(model: DeviceModel): FirmwareImage | undefined {
  const cached = newestByModel.get(model);
  if (cached !== undefined) return cached ?? undefined;
  let newest: FirmwareImage | undefined;
  for (const img of model.firmware) {
    if (!newest || compareFirmwareVersions(img.version, newest.version) > 0) newest = img;
  }
  newestByModel.set(model, newest ?? null);
  return newest;
}

/**
 * Upgrade only a device that reported a firmware older than the newest image we know, and
 * only when that image is available (an admin drops the binaries into <dataDir>/firmware; a
 * rule pointing at a missing file would have every old device fail and retry forever).
 */
export function upgradeRuleFor(
  model: DeviceModel,
  s: ResolvedSettings,
  report: DeviceReport | null | undefined,
  firmwareAvailable: (file: string) => boolean = () => true,
): string | null {
  const running = report?.firmware;
  const newest = newestFirmware(model);
  if (!running || !newest || compareFirmwareVersions(running, newest.version) >= 0) return null;
  if (!firmwareAvailable(newest.file)) return null;
  return firmwareUrl(s.urlEnv, newest.file);
}

/**
 * The phone puts Display_Name_N_ into a quoted SIP display-name ("Anna" <sip:21@…>); a double
 * quote or backslash inside would end or escape that string, so they are replaced.
 */
function sipDisplayName(s: string): string {
  return s.replace(/"/g, "'").replace(/\\/g, '/');
}

/** Strips the characters that delimit Extended_Function fields (";" and "="). */
function fieldSafe(s: string): string {
  return s.replace(/[;=]/g, ' ').trim();
}

const SECRET_MASK = '(secret)';

export interface DeviceViewOptions {
  /** From upgradeRuleFor(): the renderer decides it first because it is part of the cache key. */
  upgradeRule: string | null;
  maskSecrets?: boolean;
  /** Served on the plain MAC URL: resync soon, through the secret URL this profile sets. */
  viaPlainUrl?: boolean;
  /** Regional parameters for a region id, cached by the renderer. */
  regionParams: (model: DeviceModel, regionId: string) => RegionParam[];
}

export function deviceView(
  model: DeviceModel,
  device: Device,
  extensions: Map<string, Extension>,
  s: ResolvedSettings,
  opts: DeviceViewOptions,
): DeviceView {
  const mask = opts.maskSecrets === true;
  const lines: LineView[] = [];
  for (let n = 1; n <= model.lines; n++) {
    const number = device.lines[n - 1] ?? '';
    const ext = number === '' ? undefined : extensions.get(number);
    // A line whose extension is missing gets no credentials: never serve half a line.
    lines.push(ext
      ? {
          n, enabled: true, number: xmlValue(ext.number), userId: xmlValue(ext.number),
          password: mask ? SECRET_MASK : xmlValue(ext.sipPassword), displayName: xmlValue(sipDisplayName(ext.displayName)),
        }
      : { n, enabled: false, number: '', userId: '', password: '', displayName: '' });
  }

  const functionKeys: KeyView[] = [];
  const lineKeys: KeyView[] = [];
  for (let k = 1; k <= model.lineKeys; k++) {
    if (lines[k - 1]?.enabled) {
      lineKeys.push({ k, extendedFunction: '', line: k });
      continue;
    }
    const fk = device.functionKeys.find((f) => f.key === k);
    let fn = '';
    if (fk) {
      const target = fieldSafe(fk.target);
      const label = fieldSafe(fk.label ?? extensions.get(fk.target)?.displayName ?? fk.target);
      fn = fk.kind === 'blf'
        ? `fnc=blf+sd+cp;sub=${target}@${s.sipDomain};nme=${label}`
        : `fnc=sd;ext=${target}@${s.sipDomain};nme=${label}`;
    }
    functionKeys.push({ k, extendedFunction: xmlValue(fn), line: 0 });
  }

  const firstExt = lines.find((l) => l.enabled);
  const stationName = device.label.trim() !== ''
    ? xmlValue(device.label.trim())
    : firstExt ? firstExt.displayName : xmlValue(device.mac);

  const token = device.provisioningToken;
  const maskToken = (url: string) => (mask ? url.split(token).join(SECRET_MASK) : url);

  return {
    isPhone: model.kind === 'phone',
    profileRule: xmlValue(maskToken(secretProfileRule(s.urlEnv, token))),
    reportRule: xmlValue(maskToken(reportRule(s.urlEnv, token))),
    upgradeRule: opts.upgradeRule === null ? null : xmlValue(opts.upgradeRule),
    resync: opts.viaPlainUrl ? { ...s.resync, periodic: HANDOFF_RESYNC_SECONDS } : s.resync,
    adminPassword: mask ? SECRET_MASK : xmlValue(device.adminPassword),
    stationName,
    proxy: xmlValue(s.proxy),
    voicemailNumber: xmlValue(s.voicemailNumber),
    dialPlan: xmlValue(s.dialPlan),
    registerExpires: s.registerExpires,
    time: {
      ntpServer: xmlValue(s.ntpServer),
      timeZone: xmlValue(s.timeZone.timeZone),
      dstEnable: yesNo(s.timeZone.dstRule !== null),
      dstRule: xmlValue(s.timeZone.dstRule ?? ''),
    },
    lines,
    functionKeys,
    lineKeys,
    region: opts.regionParams(model, device.region ?? s.defaultRegion),
    hookFlash: model.hookFlash ? resolveHookFlash(model, device) : null,
  };
}

/** Region params with values escaped, for a model (cache the result per model+region). */
export function escapedRegionParams(model: DeviceModel, regionId: string): RegionParam[] {
  return regionParamsFor(regionPreset(regionId, 'region'), model).map((p) => ({ name: p.name, value: xmlValue(p.value) }));
}

/** Length-prefixed, so no value can imitate a field boundary of another. */
function field(v: string | number | null | undefined): string {
  const text = v === null || v === undefined ? '\u0000' : String(v);
  return `${text.length}:${text}`;
}

/**
 * A string that changes whenever anything deviceView reads changes: the renderer caches
 * rendered profiles under it, so a phone resyncing every few minutes costs one string build
 * and a map lookup. Keep it in step with deviceView — every field read there belongs here.
 */
export function deviceFingerprint(
  device: Device,
  extensions: Map<string, Extension>,
  upgradeRule: string | null,
  maskSecrets: boolean,
): string {
  let key = field(device.mac) + field(device.model) + field(device.label) + field(device.adminPassword)
    + field(device.provisioningToken) + field(device.hookFlashPreset) + field(device.hookFlashMin)
    + field(device.hookFlashMax) + field(device.region) + field(upgradeRule) + (maskSecrets ? 'm' : '-');
  for (const number of device.lines) {
    const ext = extensions.get(number);
    key += 'L' + field(number) + (ext ? field(ext.number) + field(ext.displayName) + field(ext.sipPassword) : '-');
  }
  for (const fk of device.functionKeys) {
    key += 'K' + field(fk.key) + field(fk.kind) + field(fk.target) + field(fk.label)
      + field(extensions.get(fk.target)?.displayName);
  }
  return key;
}
