export { ExecutableNotFoundError, findExecutable, resolveExecutable } from './find-executable.ts';
export { freePort } from './free-port.ts';
export { ping } from './ping.ts';
export { RespErrorReply, encodeCommand, sendAuthenticated, sendCommands, type RespOptions, type RespReply } from './resp.ts';
export { startRedisServer, type AppendFsync, type RedisServerOptions, type RunningRedisServer } from './redis-server.ts';
export { shutdownServer } from './shutdown-server.ts';
export { findBunBinary } from './bun-binary.ts';
