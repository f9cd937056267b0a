/** Call queues: music on hold, agents rung by strategy, overflow; see service.ts. */
export { createQueueService } from './service.js';
export { MAX_QUEUE_HOPS } from './overflow.js';
export { pickAgents, type AgentCandidate } from './strategy.js';
export type { AgentState, QueueEvent, QueueLiveState, QueueService, QueueServiceDeps, QueueTiming } from './types.js';
