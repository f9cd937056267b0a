/**
 * Device profiles from precompiled handlebars templates. Everything that can be done once is
 * done at creation: templates are read and compiled, settings resolved, model lookups
 * prepared. renderDevice then only builds a small view and runs a compiled template — no file
 * I/O and no JSON parsing per request (it sits on the HTTP hot path).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { ValidationError } from '../errors.js';
import type { Device, DeviceReport, Extension } from '../data/types.js';
import {
  bootstrapView, deviceFingerprint, deviceView, escapedRegionParams, resolveSettings, upgradeRuleFor, withoutSecretsView,
  type RenderEnv, type ResolvedSettings,
} from './context.js';
import { secretParamNames } from './diff.js';
import type { DeviceModel } from './model-types.js';
import { findRepoRoot } from './models.js';
import type { RegionParam } from './regions.js';
import { toAscii } from './transliterate.js';
import { extractParams, xmlValue } from './xml.js';

export { diffParams, type ParamChange } from './diff.js';
export type { RenderEnv } from './context.js';

export interface RenderedProfile {
  body: string;
  /** Flat name → value map of the leaf elements emitted (nested router-configuration included). */
  params: Record<string, string>;
  /** Names in params whose values are secrets (passwords; rules carrying the device token). */
  secretParams: string[];
  contentType: string;
}

export interface RenderDeviceOptions {
  /** The device's last Report_Rule upload: its firmware decides whether Upgrade_Rule is sent. */
  report?: DeviceReport | null;
  /** Replace passwords and the token by "(secret)" (admin preview). */
  maskSecrets?: boolean;
  /** What the plain MAC URL serves after the device moved to its secret URL: timers only. */
  withoutSecrets?: boolean;
  /**
   * The full profile is being served on the plain MAC URL (window still open): Resync_Periodic
   * is shortened to a few seconds so the device comes back through its secret URL at once and
   * the window can close, instead of an hour later. The secret URL then sets the real period.
   */
  viaPlainUrl?: boolean;
}

export interface ProfileRenderer {
  renderBootstrap(modelId: string): RenderedProfile;
  renderDevice(device: Device, extensions: Map<string, Extension>, opts?: RenderDeviceOptions): RenderedProfile;
  /** Re-reads the settings-derived values (after an admin edit) without recompiling templates. */
  updateSettings(settings: Record<string, unknown>): void;
}

export interface ProfileRendererDeps {
  models: Map<string, DeviceModel>;
  /** Defaults to <repo>/templates. */
  templatesDir?: string;
  env: RenderEnv;
  /**
   * Whether a firmware image (file name from the model JSON) is present in <dataDir>/firmware.
   * Called per render of a device with older firmware, so keep it cheap (e.g. a cached
   * directory listing). Absent = assume present.
   */
  firmwareAvailable?: (file: string) => boolean;
}

/** Rendered device profiles kept (oldest dropped first); ~6 KB each. */
const DEVICE_CACHE_MAX = 2000;
export const PROFILE_CONTENT_TYPE = 'text/xml; charset=utf-8';

type Compiled = (view: unknown) => string;

/**
 * Views hold ready-escaped strings, hence noEscape; strict turns a misspelt field into an error
 * instead of an empty parameter; knownHelpersOnly lets handlebars compile plain property
 * lookups (no helper-missing checks per field), which roughly halves render time.
 */
const COMPILE_OPTIONS = { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers: { xml: true, ascii: true } };

interface CompiledModel {
  model: DeviceModel;
  bootstrap: Compiled;
  device: Compiled;
  withoutSecrets: Compiled;
}

/**
 * A private handlebars instance with our helpers and the device partials. Custom templates that
 * need raw values can use {{xml value}} (ASCII + escaped) and {{ascii value}}.
 */
function createHandlebars(templatesDir: string): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('xml', (v: unknown) => xmlValue(v as string));
  hb.registerHelper('ascii', (v: unknown) => toAscii(String(v ?? '')));
  const partialsDir = join(templatesDir, 'devices', 'partials');
  let partials: string[] = [];
  try {
    partials = readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'));
  } catch {
    // no partials directory: templates simply cannot use partials
  }
  for (const file of partials) {
    const path = join(partialsDir, file);
    try {
      hb.registerPartial(basename(file, '.hbs'), precompileTemplate(hb, readFileSync(path, 'utf8')));
    } catch (err) {
      throw new ValidationError(`template partial ${path} does not compile: ${(err as Error).message}`, 'templates');
    }
  }
  return hb;
}

/**
 * Fully compiles a template now. hb.compile() would defer the work to the first render (a
 * request); precompile() produces the JavaScript spec that hb.template() turns into the
 * render function — the same path as build-time precompiled templates.
 */
function precompileTemplate(hb: typeof Handlebars, source: string): Compiled {
  const spec = hb.precompile(source, COMPILE_OPTIONS);
  // the spec is JavaScript generated by handlebars from our own template files
  const templateSpec = new Function(`return ${spec as string};`)() as ReturnType<typeof Handlebars.precompile>;
  return hb.template(templateSpec) as Compiled;
}

/**
 * params are parsed from the body on first use only (serving a profile never needs them).
 * Profiles are cached and shared between requests, so the maps are frozen: a caller that
 * wants to edit one must copy it.
 */
function lazyProfile(body: string, hasSecrets: boolean): RenderedProfile {
  let params: Record<string, string> | undefined;
  let secrets: string[] | undefined;
  return Object.freeze({
    body,
    contentType: PROFILE_CONTENT_TYPE,
    get params() {
      return (params ??= Object.freeze(extractParams(body)));
    },
    get secretParams() {
      return (secrets ??= Object.freeze(hasSecrets ? secretParamNames(this.params) : []) as string[]);
    },
  });
}

export function createProfileRenderer(deps: ProfileRendererDeps): ProfileRenderer {
  const templatesDir = deps.templatesDir ?? join(findRepoRoot(), 'templates');
  const hb = createHandlebars(templatesDir);
  const compiledByPath = new Map<string, Compiled>();
  const compile = (relPath: string, modelId: string): Compiled => {
    let fn = compiledByPath.get(relPath);
    if (!fn) {
      const path = join(templatesDir, relPath);
      let source: string;
      try {
        source = readFileSync(path, 'utf8');
      } catch (err) {
        throw new ValidationError(`model ${modelId}: template ${path} cannot be read (${(err as Error).message})`, 'templates');
      }
      try {
        fn = precompileTemplate(hb, source);
      } catch (err) {
        throw new ValidationError(`model ${modelId}: template ${path} does not compile: ${(err as Error).message}`, 'templates');
      }
      compiledByPath.set(relPath, fn);
    }
    return fn;
  };

  const compiled = new Map<string, CompiledModel>();
  for (const model of deps.models.values()) {
    compiled.set(model.id, {
      model,
      bootstrap: compile(model.templates.bootstrap, model.id),
      device: compile(model.templates.device, model.id),
      withoutSecrets: compile(model.templates.withoutSecrets ?? 'devices/without-secrets.xml.hbs', model.id),
    });
  }

  let settings: ResolvedSettings = resolveSettings(deps.env);
  const regionCache = new Map<string, RegionParam[]>();
  const regionParams = (model: DeviceModel, regionId: string): RegionParam[] => {
    const key = `${model.id}\0${regionId}`;
    let params = regionCache.get(key);
    if (!params) {
      params = escapedRegionParams(model, regionId);
      regionCache.set(key, params);
    }
    return params;
  };

  const lookup = (modelId: string): CompiledModel => {
    const c = compiled.get(modelId);
    if (!c) {
      throw new ValidationError(`unknown device model "${modelId}"; known models: ${[...compiled.keys()].join(', ')}`, 'model');
    }
    return c;
  };

  // Output depends only on (settings, inputs), so identical inputs get the identical profile
  // object back: devices resync often and mostly unchanged. Settings changes clear everything.
  const bootstrapCache = new Map<string, RenderedProfile>();
  const withoutSecretsCache = new Map<string, RenderedProfile>();
  const deviceCache = new Map<string, RenderedProfile>();

  return {
    renderBootstrap(modelId) {
      let profile = bootstrapCache.get(modelId);
      if (!profile) {
        const c = lookup(modelId);
        profile = lazyProfile(c.bootstrap(bootstrapView(c.model, settings)), false);
        bootstrapCache.set(modelId, profile);
      }
      return profile;
    },

    renderDevice(device, extensions, opts = {}) {
      const c = lookup(device.model);
      if (opts.withoutSecrets) {
        let profile = withoutSecretsCache.get(c.model.id);
        if (!profile) {
          profile = lazyProfile(c.withoutSecrets(withoutSecretsView(settings)), false);
          withoutSecretsCache.set(c.model.id, profile);
        }
        return profile;
      }
      const maskSecrets = opts.maskSecrets === true;
      const viaPlainUrl = opts.viaPlainUrl === true;
      const upgradeRule = upgradeRuleFor(c.model, settings, opts.report, deps.firmwareAvailable);
      const key = deviceFingerprint(device, extensions, upgradeRule, maskSecrets) + (viaPlainUrl ? '\u0001plain' : '');
      const cached = deviceCache.get(key);
      if (cached) return cached;
      const view = deviceView(c.model, device, extensions, settings, { upgradeRule, maskSecrets, viaPlainUrl, regionParams });
      const profile = lazyProfile(c.device(view), true);
      if (deviceCache.size >= DEVICE_CACHE_MAX) deviceCache.delete(deviceCache.keys().next().value!);
      deviceCache.set(key, profile);
      return profile;
    },

    updateSettings(next) {
      settings = resolveSettings({ ...deps.env, settings: next });
      bootstrapCache.clear();
      withoutSecretsCache.clear();
      deviceCache.clear();
    },
  };
}
