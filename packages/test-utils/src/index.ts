export { startTestRedis, startTestReplica, type TestRedis, type TestRedisOptions } from './test-redis.ts';
export { startService, type ServiceProcess } from './service-process.ts';
export { eventually, postJson, sampleEvent } from './http.ts';
export { admitEvents, names, rememberedEvent, seenState, testStore, type AdmitOptions } from './admit-events.ts';
export { useTestRedis, type TestClient } from './use-test-redis.ts';
export { startTestCluster, type TestCluster } from './test-cluster.ts';
export { connectTestCluster, type TestClusterClient } from './cluster-client.ts';
export { workersGroupInfo } from './group-info.ts';
export { findBunBinary } from './bun-binary.ts';
