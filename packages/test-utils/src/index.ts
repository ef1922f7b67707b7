export { startTestRedis, startTestReplica, type TestRedis, type TestRedisOptions } from './test-redis.ts';
export { startProcess, startService, type ServiceProcess } from './service-process.ts';
export { eventually, postJson, sampleEvent, waitUntilReady } from './http.ts';
export { admitEvents, names, rememberedEvent, seenState, testStore, type AdmitOptions } from './admit-events.ts';
export { useTestRedis, type TestClient } from './use-test-redis.ts';
export { startTestCluster, type TestCluster } from './test-cluster.ts';
export { connectTestCluster, type TestClusterClient } from './cluster-client.ts';
export { workersGroupInfo } from './group-info.ts';
export { findBunBinary } from '@ddup/redis-process';
export { makeDeadLetters, type MadeDeadLetter } from './dead-letters.ts';
export { freeLauncherPort } from './launcher-port.ts';
export { startTestNats, type TestNats } from './test-nats.ts';
export { findPostgresBinDir, startTestPostgres, type TestPostgres } from './test-postgres.ts';
export {
  startWebhookReceiver,
  type ReceivedWebhook,
  type ReceiverAnswer,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhook-receiver.ts';
