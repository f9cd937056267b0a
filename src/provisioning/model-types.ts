/**
 * A device model as data: firmware-profiles/<id>.json. Adding a model = a JSON file
 * + templates; no code.
 */
export interface FirmwareImage {
  version: string;       // as the device reports it ($SWVER / UA), e.g. "7.6.2c"
  file: string;          // file name inside <dataDir>/firmware/, e.g. "spa50x-30x-7-6-2c.bin"
}

export interface RangeSeconds { min: number; max: number }

export interface DeviceModel {
  id: string;                        // "spa303"
  name: string;                      // "Cisco SPA303"
  kind: 'phone' | 'ata';
  /** Regexes (JS source, case-insensitive) matched against the HTTP User-Agent. Named groups: model, firmware, mac. */
  userAgentPatterns: string[];
  /** Bootstrap file names this model asks for (case-insensitive), e.g. ["spa303.cfg"]. */
  bootstrapFiles: string[];
  lines: number;                     // SIP lines / FXS ports
  lineKeys: number;                  // physical line keys (0 for ATAs)
  /**
   * Paths relative to templates/. `withoutSecrets` renders what the plain MAC URL serves once the
   * device moved to its secret URL; optional, loadDeviceModels fills in the shared
   * "devices/without-secrets.xml.hbs" when a model file leaves it out.
   */
  templates: { bootstrap: string; device: string; withoutSecrets?: string };
  /** Parameter-name list the firmware knows (relative to repo root), used by tests. */
  paramsReference?: string;
  firmware: FirmwareImage[];         // newest last
  hookFlash?: {
    min: RangeSeconds;               // allowed range of Hook_Flash_Timer_Min
    max: RangeSeconds;               // allowed range of Hook_Flash_Timer_Max
    defaults: { min: number; max: number };
    presets: Record<string, { min: number; max: number; description: string }>;
  };
}
