/**
 * The validated, frozen configuration every part is built from (src/config.ts loads
 * config/default.json, then --config FILE / HOOKFLASH_CONFIG, then HOOKFLASH_* env vars).
 */
export interface ExternalSipServer {
  host: string;
  port: number;
  secret: string;
}

export interface Config {
  dataDir: string;                 // HOOKFLASH_DATA_DIR, default "./data"
  publicHost: string;              // HOOKFLASH_PUBLIC_HOST; default first non-loopback IPv4, else 127.0.0.1
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  http: { host: string; port: number };                 // HOOKFLASH_HTTP_PORT (8080)
  tftp: { enabled: boolean; host: string; port: number }; // HOOKFLASH_TFTP_PORT (69)
  sip: {
    enabled: boolean;
    host: string;                  // bind address for UDP+TCP SIP
    port: number;                  // HOOKFLASH_SIP_PORT (5060)
    domain: string | null;         // SIP domain/realm; null = publicHost
    server: 'embedded' | ExternalSipServer;
    controlHost: string;           // drachtio control port bind (127.0.0.1)
    controlPort: number;           // 9022; 0 = any free port
    timers: { t1Ms: number; t2Ms: number; t4Ms: number };
    maxMessageBytes: number;       // larger SIP messages are rejected
    maxHeaders: number;
  };
  provisioning: {
    /** Empty = everyone; else only clients in these CIDRs get profiles. */
    allowCidrs: string[];
    resyncPeriodicSeconds: number;
    resyncErrorRetrySeconds: number;
    resyncRandomDelay: number;     // Resync_Random_Delay units (x20 s)
    timezone: string;              // IANA zone, default Europe/Warsaw
    ntpServer: string;
    region: string;                // default regional preset id ("pl")
    maxReportBytes: number;        // Report_Rule upload limit (1 MiB)
    notFoundLimit: { max: number; windowSeconds: number; blockSeconds: number };
  };
  mail: {
    smtpUrl: string | null;        // HOOKFLASH_SMTP_URL; null = voicemail stored, not e-mailed
    from: string;                  // From: of voicemail e-mails
  };
  pbx: {
    enabled: boolean;              // connect the PBX (a drachtio-srf app) to the SIP server
    realm: string | null;          // digest realm; null = sip.domain, else publicHost
    minExpiresS: number;           // shorter REGISTER expiries get 423 + Min-Expires
    maxExpiresS: number;           // longer ones are clamped
    defaultExpiresS: number;
    sweepIntervalS: number;
    nonceTtlS: number;
    lockout: { maxFailures: number; windowS: number; blockS: number; maxTracked: number };
    voicemail: {
      accessNumber: string;        // dialled to listen to one's own mailbox ("*97", the phones' Messages key)
      maxMessageS: number;         // longest recording
      minMessageS: number;         // shorter recordings are discarded, not mailed
      silenceS: number;            // this much silence ends a recording
      silenceThresholdDb: number;  // audio quieter than this (dBFS) counts as silence
      pinAttempts: number;         // wrong PINs before goodbye
      digitTimeoutS: number;       // listening by phone: how long to wait for a key
    };
  };
  media: {
    host: string | null;           // RTP bind + SDP address; null = publicHost
    portRange: { min: number; max: number };
    language: 'pl' | 'en';         // prompts language when a mailbox's has none
  };
}
