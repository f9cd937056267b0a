/**
 * The PBX's settings. Until they join the global config (section `pbx`), createPbx takes them
 * directly; resolvePbxConfig fills in defaults and refuses values that would break phones.
 */
import { ConfigError } from '../errors.js';

export interface PbxConfig {
  /** REGISTER with a shorter non-zero expiry gets 423 Interval Too Brief + Min-Expires. */
  minExpiresS: number;
  /** Longer requested expiries are clamped to this (the 200 tells the phone). */
  maxExpiresS: number;
  /** Used when the REGISTER names no expiry at all. */
  defaultExpiresS: number;
  /** How often expired bindings are deleted (reads already ignore them). */
  sweepIntervalS: number;
  /** How long a digest nonce may be used before the phone is asked again with stale=true. */
  nonceTtlS: number;
  /** Digest realm; null/absent = sip.domain, else publicHost. */
  realm?: string | null;
  lockout: {
    /** Failed authentications from one address within windowS that start a block. */
    maxFailures: number;
    windowS: number;
    /** How long a blocked address gets 403. */
    blockS: number;
    /** Addresses remembered at once (memory bound under a scan). */
    maxTracked: number;
  };
}

export const DEFAULT_PBX_CONFIG: PbxConfig = Object.freeze({
  minExpiresS: 60,
  maxExpiresS: 3600,
  defaultExpiresS: 3600,
  sweepIntervalS: 60,
  nonceTtlS: 300,
  realm: null,
  lockout: Object.freeze({ maxFailures: 10, windowS: 60, blockS: 900, maxTracked: 10_000 }),
}) as PbxConfig;

export type PbxConfigInput = Partial<Omit<PbxConfig, 'lockout'>> & { lockout?: Partial<PbxConfig['lockout']> };

function positive(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`pbx.${name} must be a positive number, got ${JSON.stringify(value)}`, `pbx.${name}`);
  }
}

export function resolvePbxConfig(input: PbxConfigInput = {}): PbxConfig {
  const config: PbxConfig = {
    ...DEFAULT_PBX_CONFIG,
    ...input,
    lockout: { ...DEFAULT_PBX_CONFIG.lockout, ...input.lockout },
  };
  if (input.defaultExpiresS === undefined) {
    // Only the bounds were changed: keep the default inside them rather than refuse to start.
    config.defaultExpiresS = Math.min(Math.max(config.defaultExpiresS, config.minExpiresS), config.maxExpiresS);
  }
  for (const key of ['minExpiresS', 'maxExpiresS', 'defaultExpiresS', 'sweepIntervalS', 'nonceTtlS'] as const) {
    positive(config[key], key);
  }
  for (const key of ['maxFailures', 'windowS', 'blockS', 'maxTracked'] as const) positive(config.lockout[key], `lockout.${key}`);
  if (config.minExpiresS > config.maxExpiresS) {
    throw new ConfigError(
      `pbx.minExpiresS (${config.minExpiresS}) is above pbx.maxExpiresS (${config.maxExpiresS}); no phone could register`,
      'pbx.minExpiresS',
    );
  }
  if (config.defaultExpiresS < config.minExpiresS || config.defaultExpiresS > config.maxExpiresS) {
    throw new ConfigError(
      `pbx.defaultExpiresS (${config.defaultExpiresS}) must lie between minExpiresS and maxExpiresS`, 'pbx.defaultExpiresS',
    );
  }
  if (config.realm !== undefined && config.realm !== null && (typeof config.realm !== 'string' || !/^[^\s"\\]+$/.test(config.realm))) {
    throw new ConfigError(`pbx.realm ${JSON.stringify(config.realm)} must be a host name without spaces or quotes`, 'pbx.realm');
  }
  return config;
}
