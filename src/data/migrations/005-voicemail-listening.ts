import type { Migration } from './types.js';

/**
 * Listening to voicemail by phone: a message is "new" until its owner has heard it to the end
 * on the phone. E-mail delivery does not count as heard: the e-mail may sit unread.
 */
export const migration005: Migration = {
  version: 5,
  name: 'voicemail-listening',
  up(db) {
    db.exec(`
      ALTER TABLE voicemail_messages ADD COLUMN heard_at INTEGER;   -- epoch ms; NULL = new
      CREATE INDEX voicemail_messages_new ON voicemail_messages(box, heard_at);
    `);
  },
};
