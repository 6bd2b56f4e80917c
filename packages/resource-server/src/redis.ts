// The `@portcullis/resource-server/redis` entry point: the Redis throttle store, apart from the
// package root like its optional peer `ioredis`, which only APIs sharing counters through Redis
// install.

export {
  createRedisThrottleStore,
  type RedisThrottleClient,
  type RedisThrottleStoreOptions,
} from './throttle/create-redis-throttle-store.ts';
