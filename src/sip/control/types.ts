import type { Logger } from '../../log.js';

/** One authenticated (or authenticating) drachtio-srf connection. */
export interface AppConnection {
  readonly id: string;
  readonly remote: string;
  readonly authenticated: boolean;
  readonly closed: boolean;
  /** Verbs this app routed (`invite`, `register`, `cdr:start`…). */
  readonly routes: ReadonlySet<string>;
  /** Send one already-built frame payload (see wire.ts). Ignored once closed. */
  send(payload: string): void;
}

/** A `sip` command from an app, handed to the SIP core. */
export interface AppSipCommand {
  msgId: string;
  txnId: string;
  dialogId: string;
  /** srf `opts.proxy`: next hop for a new request. */
  routeUrl: string;
  sipText: string;
}

export interface ControlHandlers {
  /** The core must answer with a `response` frame for `command.msgId` on `app`. */
  onSipCommand(app: AppConnection, command: AppSipCommand): void;
  onAppGone(app: AppConnection): void;
}

export interface ControlServerOptions {
  host: string;
  port: number;
  secret: string;
  /** Value of the hostports token in the authenticate reply, e.g. `udp/1.2.3.4:5060,tcp/1.2.3.4:5060`. */
  hostports: () => string;
  localHostports: () => string;
  maxFrameBytes?: number;
  logger: Logger;
  handlers: ControlHandlers;
}

export interface ControlServer {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** Round-robin pick among live apps that routed `verb`; null when none did. */
  pickApp(verb: string): AppConnection | null;
  apps(): AppConnection[];
  findApp(appId: string): AppConnection | undefined;
}
