/**
 * Where a device is on its way to working: assigned → seen on the network → profile fetched →
 * registered, with a plain-language hint when a step takes too long. Feeds the installer
 * status card (polled as JSON) and the admin device page.
 */
import type { Mac, Repositories } from '../data/types.js';
import type { RegistrationsFor } from './context.js';

export type StepState = 'done' | 'waiting' | 'unknown';

export interface DeviceStatus {
  mac: Mac;
  assigned: { state: StepState; at: string | null };
  seen: { state: StepState; at: string | null; ip: string | null; firmware: string | null };
  fetched: { state: StepState; at: string | null; file: string | null };
  registered: { state: StepState; detail: string | null };
  /** The first step not done yet, or "done". */
  current: 'assigned' | 'seen' | 'fetched' | 'registered' | 'done';
  hint: string | null;
}

export interface StatusDeps {
  repos: Pick<Repositories, 'devices' | 'sightings' | 'provisioningLog'>;
  publicHost: string;
  httpPort: number;
  now: () => number;
  stallAfterMs: number;
  registrationsFor?: RegistrationsFor;
}

export function deviceStatus(deps: StatusDeps, mac: Mac): DeviceStatus {
  const device = deps.repos.devices.get(mac);
  const sighting = deps.repos.sightings.latestForMac(mac);
  const fetched = deps.repos.provisioningLog.lastForMac(mac);
  // The bootstrap file (spa303.cfg) is generic; only a per-MAC profile counts as "fetched".
  const fetchedProfile = fetched && !/\.cfg$/i.test(fetched.file) ? fetched : undefined;
  const reg = device ? deps.registrationsFor?.(mac) ?? null : null;

  const status: DeviceStatus = {
    mac,
    assigned: { state: device ? 'done' : 'waiting', at: device?.updatedAt ?? null },
    seen: { state: sighting ? 'done' : 'waiting', at: sighting?.at ?? null, ip: sighting?.ip ?? null, firmware: sighting?.firmware ?? null },
    fetched: { state: fetchedProfile ? 'done' : 'waiting', at: fetchedProfile?.at ?? null, file: fetchedProfile?.file ?? null },
    registered: reg === null
      ? { state: 'unknown', detail: deps.registrationsFor ? null : 'no registration data available' }
      : { state: reg.registered ? 'done' : 'waiting', detail: reg.detail ?? null },
    current: 'done',
    hint: null,
  };
  const since = (iso: string | null) => (iso ? deps.now() - Date.parse(iso) : 0);
  const stalled = (iso: string | null) => since(iso) > deps.stallAfterMs;
  const server = `http://${deps.publicHost}:${deps.httpPort}`;

  if (!device) {
    status.current = 'assigned';
    status.hint = 'Not assigned yet: choose the model and extensions, then save.';
  } else if (!sighting) {
    status.current = 'seen';
    if (stalled(device.updatedAt)) {
      status.hint = `Not seen on the network yet: check the device has power and a network cable, and that DHCP option 66 points to ${deps.publicHost} (or set its Profile_Rule to ${server}/spa/$MA.xml).`;
    }
  } else if (!fetchedProfile) {
    status.current = 'fetched';
    if (stalled(sighting.at)) {
      status.hint = `Seen at ${sighting.ip} (asked for ${sighting.file}) but it has not fetched its own profile: check it can reach ${server} and that its MAC matches this one.`;
    }
  } else if (status.registered.state === 'waiting') {
    status.current = 'registered';
    if (stalled(fetchedProfile.at)) status.hint = 'Profile fetched but its lines have not registered: check the phone can reach the SIP server, and reboot it once.';
  } else if (status.registered.state === 'unknown') {
    status.current = 'registered';
  }
  return status;
}

/**
 * A RegistrationsFor backed by the PBX registrar's bindings: registered when every line of the
 * device has a live binding. For deployments where the bundled PBX keeps registrations.
 */
export function registrationsFromRepository(repos: Pick<Repositories, 'devices' | 'registrations'>, now: () => number = Date.now): RegistrationsFor {
  return (mac) => {
    const device = repos.devices.get(mac);
    if (!device) return null;
    const at = now();
    const live = device.lines.filter((n) => repos.registrations.live(n, at).length > 0);
    return { registered: live.length === device.lines.length, detail: `${live.length} of ${device.lines.length} line(s) registered` };
  };
}
