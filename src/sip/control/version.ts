/**
 * The version announced to apps. drachtio-srf starts its ping timers only for servers at
 * v0.8.2 or later, so we claim the protocol level we implement rather than our own version.
 */
export const CONTROL_PROTOCOL_VERSION = 'v0.8.26-hookflash';
