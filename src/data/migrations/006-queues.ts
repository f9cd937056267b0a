import type { Migration } from './types.js';

/** Placeholder: filled in by the feature that owns this version (not shipped yet). */
export const migration006: Migration = {
  version: 6,
  name: 'queues',
  up() {
    // filled in by the owning feature
  },
};
