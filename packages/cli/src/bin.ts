#!/usr/bin/env node
import { run } from './program.ts';

// A reader that goes away early (`portcullis clients list | head -1`) is no failure of ours: stop
// quietly, as Unix tools do on SIGPIPE, instead of an unhandled EPIPE with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const code = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
