#!/usr/bin/env node
import { startWithHeapFlags } from './heap-flags.ts';

// First, before the command's modules load: a server command without its heap flags starts
// again with them (heap-flags.ts); this returns when there is nothing to change.
startWithHeapFlags(process);

// A reader that goes away early (`portcullis clients list | head -1`) is no failure of ours: stop
// quietly, as Unix tools do on SIGPIPE, instead of an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const { run } = await import('./program.ts');
const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
