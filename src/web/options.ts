/** Timing and cookie settings of the web UI; every one is overridable so tests run fast. */
import type { ScryptCost } from './passwords.js';
import { DEFAULT_SCRYPT_COST } from './passwords.js';
import type { CallsLiveState, QueueLiveState } from './live-state.js';
import type { DeviceResync } from './device-resync.js';

export interface WebOptions {
  /** A session unused this long is over (default 30 min). */
  idleTimeoutMs: number;
  /** How long the first-admin setup link works (default 1 h). */
  setupLinkTtlMs: number;
  /** Failed logins allowed per IP and per user name within loginWindowMs (default 5 / 15 min). */
  loginMaxFailures: number;
  loginWindowMs: number;
  /** Secure cookie flag: true, false, or 'auto' = when the request came over HTTPS. */
  secureCookies: boolean | 'auto';
  scryptCost: ScryptCost;
  /** How often the installer page asks for the device status (default 3 s). */
  statusPollMs: number;
  /** A step that has not happened after this long gets its hint shown (default 60 s). */
  stallAfterMs: number;
  /** The HTTP port devices use, for hints (default: config.http.port; pass the real one when that is 0). */
  publicHttpPort?: number;
  /** Live call count from the PBX, for the dashboard; absent = "not available". */
  calls?: () => CallsLiveState;
  /** Live queue state from the PBX, for the dashboard and the Queues page. */
  queues?: () => QueueLiveState[];
  /**
   * "Resync now": has the PBX send the NOTIFY that makes the device re-fetch its profile
   * (build it with createDeviceResync). Absent = the button is disabled, the API answers 503.
   * A thrown error is shown as "Resync not sent: <message>".
   */
  resync?: DeviceResync;
  /** How often the Queues page refreshes its live view (default 3 s). */
  queuePollMs: number;
  /**
   * IANA zone pages show times in and call-log dates mean (default UTC; `hookflash serve` passes
   * the configured provisioning.timezone, the office's clock).
   */
  timeZone: string;
}

export const DEFAULT_WEB_OPTIONS: WebOptions = {
  idleTimeoutMs: 30 * 60_000,
  setupLinkTtlMs: 60 * 60_000,
  loginMaxFailures: 5,
  loginWindowMs: 15 * 60_000,
  secureCookies: 'auto',
  scryptCost: DEFAULT_SCRYPT_COST,
  statusPollMs: 3000,
  stallAfterMs: 60_000,
  queuePollMs: 3000,
  timeZone: 'UTC',
};
