/**
 * The steps a factory-fresh SPA goes through, with real clients: tftp-hpa for the
 * bootstrap (DHCP option 66 → TFTP /spa$PSN.cfg), HTTP with the device's User-Agent for
 * the rules that follow, and a Report_Rule POST of its running configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandRule, parseProfile, runningConfigXml, type ParsedProfile } from './spa-device.js';
import { runTftpHpa } from './tftp-hpa.js';

export interface SimulatedDevice {
  mac: string;
  psn: string;
  userAgent: string;
}

export async function tftpBootstrap(device: SimulatedDevice, tftpPort: number, dir: string): Promise<ParsedProfile> {
  // The factory Profile_Rule is "/spa$PSN.cfg"; tftp-hpa sends the name as given.
  const remote = expandRule('/spa$PSN.cfg', device);
  const local = join(dir, `${device.psn}-bootstrap.cfg`);
  const run = await runTftpHpa({ port: tftpPort, command: ['get', remote, local] });
  if (run.output !== '' || run.exitCode !== 0) throw new Error(`tftp get ${remote} failed: ${run.output}`);
  return parseProfile(readFileSync(local));
}

export interface Fetched {
  status: number;
  contentType: string | null;
  body: string;
  profile: ParsedProfile | null;
}

/** Follows a Profile_Rule the way the device does: expand macros, GET with the device UA. */
export async function followProfileRule(device: SimulatedDevice, rule: string): Promise<Fetched> {
  const res = await fetch(expandRule(rule, device), { headers: { 'user-agent': device.userAgent } });
  const body = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body,
    profile: res.status === 200 ? await parseProfile(body) : null,
  };
}

/** Report_Rule: the device POSTs all its parameters as XML (text/xml on SPA firmware). */
export async function uploadReport(device: SimulatedDevice, rule: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(expandRule(rule, device), {
    method: 'POST',
    headers: { 'user-agent': device.userAgent, 'content-type': 'text/xml' },
    body: runningConfigXml(params),
  });
  return { status: res.status, body: await res.text() };
}
