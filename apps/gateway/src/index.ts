export { API_PREFIX, createGatewayApp, type GatewayDependencies } from './app.ts';
export { createEventAdmitter, type Admission, type AdmitEvent } from './admission.ts';
export { createBatchAdmitter, type AdmitBatch } from './batch-admission.ts';
export { batchEventsHandler, type BatchDependencies } from './batch-route.ts';
export type { BatchAnswer, BatchResult } from './batch-results.ts';
export { createGateway, type Gateway } from './gateway.ts';
export { parseGatewayConfig, type GatewayConfig } from './env.ts';
export { BODY_TIMEOUT_MS, closeGracefully, listen, type ListenOptions } from './http-server.ts';
