import type { Logger } from '../log.js';
import { databasePath, openDatabase } from './db.js';
import type { Repositories } from './types.js';
import { createExtensionRepository } from './repositories/extensions.js';
import { createDeviceRepository } from './repositories/devices.js';
import { createSightingRepository } from './repositories/sightings.js';
import { createProvisioningLogRepository } from './repositories/provisioning-log.js';
import {
  createDeviceReportRepository, createServedSnapshotRepository,
} from './repositories/snapshots-and-reports.js';
import { createSettingsRepository } from './repositories/settings.js';
import { createRegistrationRepository } from './repositories/registrations.js';
import { createEntryNumberRepository, createForwardingRepository } from './repositories/pbx-routing.js';
import { createCdrRepository } from './repositories/cdr.js';
import { createUserRepository } from './repositories/users.js';
import {
  createApiTokenRepository, createAuditRepository, createSessionRepository, createSetupLinkRepository,
} from './repositories/web-access.js';
import { createMailboxRepository } from './repositories/mailboxes.js';
import { createVoicemailMessageRepository } from './repositories/voicemail-messages.js';
import { createMailOutboxRepository } from './repositories/mail-outbox.js';
import { createQueueRepository } from './repositories/queues.js';

export type * from './types.js';
export { DATABASE_FILE_NAME, databasePath } from './db.js';

export interface OpenRepositoriesOptions {
  /** Directory for hookflash.sqlite (created if missing). Default "./data". */
  dataDir?: string;
  /** Explicit database file; wins over dataDir. */
  file?: string;
  logger: Logger;
  /** Row caps for the append-only tables; tests lower them. */
  limits?: { maxSightings?: number; maxProvisioningLog?: number };
}

/** Opens the database (migrating it) and builds every repository on one connection. */
export function openRepositories(opts: OpenRepositoriesOptions): Repositories {
  const db = openDatabase(opts);
  opts.logger.debug({ file: databasePath(opts) }, 'database open');
  let closed = false;
  return {
    extensions: createExtensionRepository(db),
    devices: createDeviceRepository(db),
    sightings: createSightingRepository(db, opts.limits?.maxSightings),
    provisioningLog: createProvisioningLogRepository(db, opts.limits?.maxProvisioningLog),
    servedSnapshots: createServedSnapshotRepository(db),
    reports: createDeviceReportRepository(db),
    settings: createSettingsRepository(db),
    registrations: createRegistrationRepository(db),
    forwarding: createForwardingRepository(db),
    entryNumbers: createEntryNumberRepository(db),
    cdr: createCdrRepository(db),
    users: createUserRepository(db),
    sessions: createSessionRepository(db),
    apiTokens: createApiTokenRepository(db),
    setupLinks: createSetupLinkRepository(db),
    audit: createAuditRepository(db),
    mailboxes: createMailboxRepository(db),
    voicemailMessages: createVoicemailMessageRepository(db),
    mailOutbox: createMailOutboxRepository(db),
    queues: createQueueRepository(db),
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    close(): void {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
