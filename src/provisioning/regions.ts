import { ValidationError } from '../errors.js';
import type { DeviceModel } from './model-types.js';

/**
 * Regional presets: call-progress tones, ring cadence and caller-ID signalling. Absent
 * parameters stay unchanged on the device, so every preset writes the full set of names it
 * owns — switching from "pl" back to "us" must restore the North American values, not keep
 * the Polish ones. `ataOnly` entries drive the FXS port (ringer, caller-ID modem) and are
 * emitted only for analog adapters.
 */
export interface RegionParam {
  name: string;
  value: string;
  ataOnly?: boolean;
}

export interface RegionPreset {
  id: string;
  description: string;
  params: RegionParam[];
}

const PRESETS: Record<string, RegionPreset> = {
  pl: {
    id: 'pl',
    description: 'Poland: 425 Hz tones, 1 s / 4 s ringing, ETSI FSK caller ID',
    params: [
      { name: 'Dial_Tone', value: '425@-19;10(*/0/1)' },
      { name: 'Outside_Dial_Tone', value: '425@-19;10(*/0/1)' },
      { name: 'Busy_Tone', value: '425@-19;10(.5/.5/1)' },
      { name: 'Reorder_Tone', value: '425@-19;10(.5/.5/1)' },
      { name: 'Ring_Back_Tone', value: '425@-19;*(1/4/1)' },
      { name: 'Call_Waiting_Tone', value: '425@-19;30(.15/.15/1,.15/4/1)' },
      { name: 'Ring1_Cadence', value: '60(1/4)' },
      { name: 'Time_Format', value: '24hr' },
      { name: 'Date_Format', value: 'day/month' },
      { name: 'Caller_ID_Method', value: 'ETSI FSK', ataOnly: true },
      { name: 'Caller_ID_FSK_Standard', value: 'v.23', ataOnly: true },
      { name: 'Ring_Waveform', value: 'Sinusoid', ataOnly: true },
      { name: 'Ring_Frequency', value: '25', ataOnly: true },
    ],
  },
  us: {
    id: 'us',
    description: 'North America: the firmware defaults (350+440 Hz dial tone, Bellcore caller ID)',
    params: [
      { name: 'Dial_Tone', value: '350@-19,440@-19;10(*/0/1+2)' },
      { name: 'Outside_Dial_Tone', value: '420@-16;10(*/0/1)' },
      { name: 'Busy_Tone', value: '480@-19,620@-19;10(.5/.5/1+2)' },
      { name: 'Reorder_Tone', value: '480@-19,620@-19;10(.25/.25/1+2)' },
      { name: 'Ring_Back_Tone', value: '440@-19,480@-19;*(2/4/1+2)' },
      { name: 'Call_Waiting_Tone', value: '440@-10;30(.3/9.7/1)' },
      { name: 'Ring1_Cadence', value: '60(2/4)' },
      { name: 'Time_Format', value: '12hr' },
      { name: 'Date_Format', value: 'month/day' },
      { name: 'Caller_ID_Method', value: 'Bellcore(N.Amer,China)', ataOnly: true },
      { name: 'Caller_ID_FSK_Standard', value: 'bell 202', ataOnly: true },
      { name: 'Ring_Waveform', value: 'Sinusoid', ataOnly: true },
      { name: 'Ring_Frequency', value: '20', ataOnly: true },
    ],
  },
};

export function knownRegions(): RegionPreset[] {
  return Object.values(PRESETS);
}

export function regionPreset(id: string, field = 'region'): RegionPreset {
  const preset = Object.hasOwn(PRESETS, id) ? PRESETS[id] : undefined;
  if (!preset) {
    throw new ValidationError(`unknown region "${id}" (${field}); known regions: ${Object.keys(PRESETS).join(', ')}`, field);
  }
  return preset;
}

/** The parameters a preset writes on one model. */
export function regionParamsFor(preset: RegionPreset, model: DeviceModel): RegionParam[] {
  return model.kind === 'ata' ? preset.params : preset.params.filter((p) => !p.ataOnly);
}
