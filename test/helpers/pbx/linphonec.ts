/**
 * A headless linphonec (linphone-cli 5.1) driven through stdin, one HOME per instance
 * (reference §B2: `$HOME/.local/share/linphone/` must exist or incoming calls get 503).
 * linphonec prints little on its own, so state is read back with commands
 * (`status register`). Used for attended transfer: `transfer 1 --to-call 2` sends REFER with
 * Replaces. Always killed on teardown; every wait is bounded.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from '../ports.js';
import { writeToneWav } from '../sip/wav.js';
import type { Teardownable } from '../srf.js';

export interface Linphonec {
  sipPort: number;
  send(command: string): void;
  /** Resolves when the output since `since` matches `pattern`. */
  waitOutput(pattern: RegExp, ms?: number, since?: number): Promise<void>;
  /** Registers at the PBX and polls `status register` until registered (bounded). */
  register(identity: string, proxy: string, secret: string, ms?: number): Promise<void>;
  output(): string;
}

export interface LinphonecOptions {
  toneHz: number;
  /**
   * With the file "soundcard", what the phone plays (the audio it receives) is written to this
   * WAV (`record <file>`); the file is complete once the call has ended.
   */
  recordTo?: string;
  /** Answer incoming calls by itself (`autoanswer enable`). */
  autoAnswer?: boolean;
}

export async function startLinphonec(t: Teardownable, opts: LinphonecOptions): Promise<Linphonec> {
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-linphonec-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, '.local', 'share', 'linphone'), { recursive: true });
  const sipPort = await freePort('udp');
  // RTP ranges of our own: linphone's fixed defaults (7078, 9078, 11078) would clash between parallel test files
  const [audio, video, text] = [await freePortRange(20), await freePortRange(20), await freePortRange(20)];
  writeFileSync(join(dir, 'rc'), '[sip]\nbind_address=127.0.0.1\n[rtp]\n' +
    `audio_rtp_port=${audio.min}-${audio.max}\nvideo_rtp_port=${video.min}-${video.max}\ntext_rtp_port=${text.min}-${text.max}\n`);
  const tone = join(dir, 'tone.wav');
  writeToneWav(tone, 60, opts.toneHz);
  const child = spawn('/usr/bin/linphonec', ['-S', '-c', join(dir, 'rc')], {
    cwd: dir, env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => { if (output.length < 1 << 20) output += chunk.toString('utf8'); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const send = (command: string) => { child.stdin.write(`${command}\n`); };
  const waitOutput = (pattern: RegExp, ms = 10_000, since = 0) => new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = () => {
      if (pattern.test(output.slice(since))) return resolve();
      if (Date.now() > deadline) return reject(new Error(`linphonec: no ${pattern} within ${ms} ms; output tail:\n${output.slice(-1500)}`));
      setTimeout(poll, 50);
    };
    poll();
  });
  send('soundcard use files');
  send(`play ${tone}`);
  if (opts.recordTo !== undefined) send(`record ${opts.recordTo}`);
  if (opts.autoAnswer === true) send('autoanswer enable');
  send(`ports sip ${sipPort}`);
  return {
    sipPort, send, waitOutput, output: () => output,
    async register(identity, proxy, secret, ms = 10_000) {
      send(`register ${identity} ${proxy} ${secret}`);
      const deadline = Date.now() + ms;
      for (let i = 0; i < 100 && Date.now() < deadline; i++) {
        const since = output.length;
        send('status register');
        try {
          await waitOutput(/^registered,/m, 300, since);
          return;
        } catch {
          // not yet; ask again
        }
      }
      throw new Error(`linphonec: not registered within ${ms} ms`);
    },
  };
}
