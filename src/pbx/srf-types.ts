/**
 * The slice of drachtio-srf the PBX uses, typed structurally. drachtio-srf's bundled typings
 * lag its API (no srf.options(), narrow res.send overloads), and a small interface also says
 * exactly what the PBX depends on.
 */

export interface SrfRequestLike {
  method: string;
  uri: string;
  /** Where the request came from (after NAT): drachtio's meta of the received message. */
  source_address: string;
  source_port: number | string;
  /** 'udp' | 'tcp' | … as drachtio reports it. */
  protocol: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SrfResponseLike {
  finalResponseSent?: boolean;
  send(status: number, reasonOrOpts?: string | { headers?: Record<string, string> }, opts?: { headers?: Record<string, string> }): void;
}

export type SrfNext = (err?: unknown) => void;
export type SrfMiddleware = (req: SrfRequestLike, res: SrfResponseLike, next: SrfNext) => void;
export type SrfHandler = (req: SrfRequestLike, res: SrfResponseLike) => void;

/** A request the app sent; its final response arrives as a 'response' event. */
export interface SentRequestLike {
  on(event: 'response', listener: (res: { status: number; reason?: string; get(name: string): string | undefined }) => void): unknown;
}

export interface OutgoingRequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Next hop, e.g. `sip:203.0.113.5:34567;transport=udp` (the phone's NAT address). */
  proxy?: string;
}

export interface PbxSrf {
  use(method: string, middleware: SrfMiddleware[]): unknown;
  register(handler: SrfHandler): unknown;
  options(handler: SrfHandler): unknown;
}

export interface RequestingSrf {
  request(uri: string, opts: OutgoingRequestOptions): Promise<SentRequestLike>;
}
