/**
 * Identify step of the provisioning pipeline: what is being asked for (bootstrap file,
 * per-MAC profile, secret per-device profile, firmware image) and who is asking (MAC,
 * model, firmware from the path and the SPA User-Agent). Pure: no I/O, no logging.
 */
import type { Mac } from '../data/types.js';
import type { DeviceModel } from './model-types.js';
import { classifyProvisioningPath } from './urls.js';

export type RequestTarget =
  | { kind: 'bootstrap'; modelId: string }
  | { kind: 'plain'; mac: Mac }
  | { kind: 'secret'; token: string; mac: Mac }
  | { kind: 'report'; token: string; mac: Mac }
  | { kind: 'firmware'; file: string }
  | { kind: 'unknown' };

export interface UserAgentInfo {
  modelId: string;
  firmware: string | null;
  mac: Mac | null;
}

export interface Identification {
  target: RequestTarget;
  /** Who asks: MAC from the User-Agent, else from the path. */
  mac: Mac | null;
  modelId: string | null;
  firmware: string | null;
  /** The file name safe to store and show: secret tokens replaced by "…". */
  displayFile: string;
  /** Set when the User-Agent names a different MAC than the path (someone else's profile). */
  macMismatch: { userAgent: Mac; path: Mac } | null;
}

export type Models = readonly DeviceModel[] | ReadonlyMap<string, DeviceModel>;

export interface Identifier {
  identify(file: string, userAgent: string | null): Identification;
  parseUserAgent(userAgent: string | null): UserAgentInfo | null;
  /** The model a bootstrap file name belongs to (case-insensitive), if any. */
  modelForBootstrapFile(name: string): string | null;
}

export function modelList(models: Models): DeviceModel[] {
  return Array.isArray(models) ? [...models] : [...(models as ReadonlyMap<string, DeviceModel>).values()];
}

/** Per-MAC names other provisioning servers use (`spa<mac>.xml`, `<mac>.xml`), accepted as plain requests. */
const TOLERANT_MAC_FILE = /^(?:spa\/)?(?:spa)?([0-9a-f]{12})\.xml$/i;
/** User agents longer than this are not SPA firmware; not worth running regexes over. */
const MAX_USER_AGENT = 256;

export function createIdentifier(models: Models): Identifier {
  const list = modelList(models);
  const patterns = list.flatMap((model) =>
    model.userAgentPatterns.map((source) => ({ modelId: model.id, regex: new RegExp(source, 'i') })),
  );
  const bootstrapOwners = new Map<string, string>();
  for (const model of list) {
    for (const name of model.bootstrapFiles) bootstrapOwners.set(name.toLowerCase(), model.id);
  }
  // Parsing the same few User-Agent strings thousands of times per second is wasted work.
  const userAgentCache = new Map<string, UserAgentInfo | null>();

  function parseUserAgent(userAgent: string | null): UserAgentInfo | null {
    if (!userAgent || userAgent.length > MAX_USER_AGENT) return null;
    const cached = userAgentCache.get(userAgent);
    if (cached !== undefined) return cached;
    let info: UserAgentInfo | null = null;
    for (const { modelId, regex } of patterns) {
      const groups = regex.exec(userAgent)?.groups;
      if (!groups) continue;
      info = { modelId, firmware: groups.firmware?.trim() || null, mac: groups.mac?.toLowerCase() ?? null };
      break;
    }
    if (userAgentCache.size >= 1000) userAgentCache.clear();
    userAgentCache.set(userAgent, info);
    return info;
  }

  function modelForBootstrapFile(name: string): string | null {
    return bootstrapOwners.get(stripLeadingSlash(name).toLowerCase()) ?? null;
  }

  function classify(file: string): RequestTarget {
    const bootstrapModel = modelForBootstrapFile(file);
    if (bootstrapModel) return { kind: 'bootstrap', modelId: bootstrapModel };
    const classified = classifyProvisioningPath(file.startsWith('/') ? file : `/${file}`);
    switch (classified.kind) {
      case 'bootstrap': {
        const modelId = modelForBootstrapFile(classified.file);
        return modelId ? { kind: 'bootstrap', modelId } : { kind: 'unknown' };
      }
      case 'plain':
        return { kind: 'plain', mac: classified.mac };
      case 'secret':
        return { kind: 'secret', token: classified.token, mac: classified.mac };
      case 'report':
        return { kind: 'report', token: classified.token, mac: classified.mac };
      case 'firmware':
        return { kind: 'firmware', file: classified.file };
      default: {
        const tolerant = TOLERANT_MAC_FILE.exec(stripLeadingSlash(file));
        return tolerant ? { kind: 'plain', mac: tolerant[1]!.toLowerCase() } : { kind: 'unknown' };
      }
    }
  }

  return {
    parseUserAgent,
    modelForBootstrapFile,
    identify(file, userAgent) {
      const target = classify(file);
      const agent = parseUserAgent(userAgent);
      const pathMac = 'mac' in target ? target.mac : null;
      const macMismatch = agent?.mac && pathMac && agent.mac !== pathMac ? { userAgent: agent.mac, path: pathMac } : null;
      return {
        target,
        mac: agent?.mac ?? pathMac,
        modelId: agent?.modelId ?? (target.kind === 'bootstrap' ? target.modelId : null),
        firmware: agent?.firmware ?? null,
        displayFile: redactToken(file, target),
        macMismatch,
      };
    },
  };
}

/** Tokens are credentials: sightings and logs keep the file name with the token blanked. */
export function redactToken(file: string, target: RequestTarget): string {
  if (target.kind !== 'secret' && target.kind !== 'report') return file;
  return file.split(target.token).join('…');
}

function stripLeadingSlash(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}
