export { API_PREFIX, createGatewayApp, type GatewayDependencies } from './app.ts';
export { createEventAdmitter, type Admission, type AdmitEvent } from './admission.ts';
export { createBatchAdmitter, type AdmitBatch } from './batch-admission.ts';
export { batchEventsHandler, type BatchDependencies } from './batch-route.ts';
export { admittedResultOf, type AdmittedResult, type BatchAnswer, type BatchResult } from './batch-results.ts';
export type { HashedEvent } from './batch-item.ts';
export { type AdmissionPorts, createGateway, gatewayAppOf, type Gateway } from './gateway.ts';
export { parseGatewayConfig, type GatewayConfig } from './env.ts';
export { BODY_TIMEOUT_MS, closeGracefully, listen, type ListenOptions } from './http-server.ts';
