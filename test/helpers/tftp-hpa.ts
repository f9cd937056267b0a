/**
 * Runs Debian's tftp-hpa client (/usr/bin/tftp), the same kind of client a technician
 * would use against the server. Every run is bounded by a timeout.
 */
import { spawn } from 'node:child_process';

export const TFTP_HPA = '/usr/bin/tftp';

export interface TftpRun {
  exitCode: number | null;
  /** stdout + stderr: tftp-hpa prints "Error code N: message" there. */
  output: string;
  timedOut: boolean;
}

/**
 * tftp -m <mode> 127.0.0.1 <port> -c <command...>. `command` is e.g. ['get', 'spa303.cfg', '/tmp/x'].
 * -R pins the client's source port range only when given.
 */
export function runTftpHpa(opts: {
  port: number;
  command: string[];
  mode?: 'octet' | 'netascii';
  timeoutMs?: number;
  cwd?: string;
}): Promise<TftpRun> {
  const args = ['-m', opts.mode ?? 'octet', '127.0.0.1', String(opts.port), '-c', ...opts.command];
  return new Promise((resolve, reject) => {
    const child = spawn(TFTP_HPA, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 15_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, output: output.trim(), timedOut });
    });
  });
}
