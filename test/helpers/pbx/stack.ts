/**
 * Test helper: the full registrar stack on 127.0.0.1 — the embedded SIP server, the PBX as a
 * real drachtio-srf app, and a real SQLite file in a temp dir — with a movable clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openRepositories } from '../../../src/data/index.js';
import type { Repositories } from '../../../src/data/types.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { createPbx, type Pbx } from '../../../src/pbx/app.js';
import type { PbxConfigInput } from '../../../src/pbx/config.js';
import { startEmbeddedServer, type EmbeddedServer, type SrfApp, type Teardownable } from '../srf.js';

export interface PbxStack {
  sut: EmbeddedServer;
  srf: SrfApp;
  repos: Repositories;
  pbx: Pbx;
  dataDir: string;
  realm: string;
  /** The PBX's clock (epoch ms); move it with advance(). */
  now(): number;
  advance(ms: number): void;
  /** A restart: stops the PBX, closes the database, reopens it and connects a new PBX app. */
  restart(): Promise<void>;
}

export interface PbxStackOptions {
  pbx?: PbxConfigInput;
  extensions?: Array<{ number: string; password: string }>;
  logger?: Logger;
}

export const REALM = 'pbx.test';

export async function startPbxStack(t: Teardownable, opts: PbxStackOptions = {}): Promise<PbxStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflash-pbx-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const logger = opts.logger ?? silentLogger();
  let repos = openRepositories({ dataDir, logger });
  t.teardown(() => repos.close());
  for (const ext of opts.extensions ?? [{ number: '102', password: 'secret-102' }]) {
    repos.extensions.add({ number: ext.number, displayName: `Ext ${ext.number}`, sipPassword: ext.password });
  }
  let clock = Date.now();
  const sut = await startEmbeddedServer(t, { dataDir });
  let pbx: Pbx | undefined;
  const connect = () => sut.connectApp((app) => {
    pbx = createPbx({
      srf: app, repos, logger, clock: () => clock,
      config: { publicHost: '127.0.0.1', sip: { domain: REALM }, pbx: opts.pbx ?? {} },
    });
  });
  let srf = await connect();
  t.teardown(() => pbx!.stop());
  return {
    sut, dataDir, realm: REALM,
    get srf() { return srf; },
    get pbx() { return pbx!; },
    get repos() { return repos; },
    now: () => clock,
    advance: (ms) => { clock += ms; },
    async restart() {
      pbx!.stop();
      srf.disconnect();
      repos.close();
      repos = openRepositories({ dataDir, logger });
      srf = await connect();
    },
  };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Digest params out of a WWW-Authenticate value. */
export function challengeParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) out[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  return out;
}

/** An Authorization header answering `challenge` (qop=auth when offered). */
export function authorization(p: { user: string; password: string; uri: string; challenge: string; nc?: number; method?: string }): string {
  const c = challengeParams(p.challenge);
  const method = p.method ?? 'REGISTER';
  const ha1 = md5(`${p.user}:${c.realm}:${p.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  const nc = (p.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = 'c0ffee';
  const response = c.qop ? md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${c.nonce}:${ha2}`);
  return `Digest username="${p.user}", realm="${c.realm}", nonce="${c.nonce}", uri="${p.uri}", response="${response}", ` +
    `algorithm=MD5, opaque="${c.opaque}"${c.qop ? `, qop=auth, nc=${nc}, cnonce="${cnonce}"` : ''}`;
}
