/**
 * The renderer's view of the configuration, built in one place so `hookflash serve` and the
 * CLI (`device render`, `device diff`) render exactly the same profile.
 */
import type { Config } from '../config-types.js';
import type { RenderEnv } from './render.js';

export function renderEnvFromConfig(config: Config, settings: Record<string, unknown>): RenderEnv {
  return {
    publicHost: config.publicHost,
    httpPort: config.http.port,
    sipPort: config.sip.port,
    sipDomain: config.sip.domain,
    provisioning: config.provisioning,
    settings,
  };
}
