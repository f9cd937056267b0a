export {
  resolveMailConfig, backoffDelay, describeSmtpUrl, checkSmtpUrl, DEFAULT_MAIL_CONFIG, DEFAULT_VOICEMAIL_CONFIG, DEFAULT_BACKOFF,
  type MailConfig, type MailConfigInput, type VoicemailConfig, type BackoffConfig,
} from './config.js';
export { createVoicemailStore, systemClock, type Clock, type VoicemailStore, type VoicemailStoreDeps, type DepositInput, type Deposited } from './store.js';
export { createOutboxWorker, classifySmtpError, type OutboxWorker, type OutboxWorkerDeps, type MailTransport, type SmtpFailure } from './outbox-worker.js';
export { createMailComposer, attachmentName, defaultMailTemplatesDir, type MailComposer, type ComposeInput } from './compose.js';
export { createSmtpTransport, type SmtpTransport } from './smtp-transport.js';
export { outboxProblems, type OutboxProblem, type OutboxProblemOptions } from './problems.js';
export { createMailboxService, type MailboxService, type AddMailboxInput } from './mailbox-service.js';
export { hashPin, verifyPin, checkPin } from './pin.js';
export { createVoicemailCalls, mailboxOfExtension, type VoicemailCalls, type VoicemailCallsDeps } from './calls.js';
export { runDeposit, type DepositOutcome } from './deposit-call.js';
export { runListen, type ListenOutcome } from './listen-call.js';
export { fromPbxVoicemailConfig, defaultPromptsDir, DEFAULT_VOICEMAIL_CALL_CONFIG, type VoicemailCallConfig } from './call-config.js';
