// Preloaded (`node --import`) into the server process a soak starts: answers each "memory"
// message from the parent with process.memoryUsage(), taken after a full garbage collection when
// the process runs with --expose-gc, so that heap samples show live objects rather than where
// the collector happened to be.
process.on('message', (message) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
// The channel must not keep the server alive on its own.
process.channel?.unref();
