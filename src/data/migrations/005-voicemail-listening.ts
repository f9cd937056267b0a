import type { Migration } from './types.js';

/** Placeholder: filled in by the feature that owns this version (not shipped yet). */
export const migration005: Migration = {
  version: 5,
  name: 'voicemail-listening',
  up() {
    // filled in by the owning feature
  },
};
