/**
 * The slice of drachtio-srf that calls and transfers use, typed structurally (srf's bundled
 * typings lag its API: no dialog.id, no createUAC progress callbacks object). Keeping it small
 * also documents exactly what a call depends on.
 */

export interface SipMessageLike {
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export interface SipResponseLike extends SipMessageLike {
  status: number;
  reason?: string;
  body?: string;
}

/** An INVITE (or REFER) received from the network. */
export interface IncomingRequest extends SipMessageLike {
  method: string;
  uri: string;
  body: string;
  source_address: string;
  source_port: number | string;
  protocol: string;
  on(event: 'cancel', listener: () => void): unknown;
}

export interface ResponseSender {
  finalResponseSent?: boolean;
  send(status: number, reasonOrOpts?: string | { headers?: Record<string, string>; body?: string },
    opts?: { headers?: Record<string, string>; body?: string }): void;
}

/** A request the app sent (the INVITE of a forked leg); cancel() sends CANCEL. */
export interface SentInvite {
  cancel(opts?: { headers?: Record<string, string> }): void;
}

export interface SrfDialog {
  id: string;
  connected: boolean;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { sdp: string; contact?: string };
  remote: { sdp: string; uri?: string };
  on(event: 'destroy', listener: (req?: unknown, reason?: string) => void): unknown;
  on(event: 'modify', listener: (req: IncomingRequest, res: ResponseSender) => void): unknown;
  on(event: 'refer', listener: (req: IncomingRequest, res: ResponseSender) => void): unknown;
  modify(sdp: string): Promise<string>;
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<unknown>;
}

export interface CreateUacOptions {
  localSdp: string;
  headers?: Record<string, string>;
  proxy?: string;
  callingNumber?: string;
  callingName?: string;
}

export interface CallSrf {
  invite(handler: (req: IncomingRequest, res: ResponseSender) => void): unknown;
  createUAC(uri: string, opts: CreateUacOptions, progress: {
    cbRequest?: (err: Error | null, req?: SentInvite) => void;
    cbProvisional?: (res: SipResponseLike) => void;
  }): Promise<SrfDialog>;
  createUAS(req: IncomingRequest, res: ResponseSender, opts: { localSdp: string; headers?: Record<string, string> }): Promise<SrfDialog>;
  findDialogByCallIDAndFromTag(callId: string, tag: string): SrfDialog | undefined;
}
