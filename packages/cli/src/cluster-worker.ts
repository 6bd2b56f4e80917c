// The entry point of each `portcullis serve --workers N` worker (see cluster.ts): runs `serve`,
// then lets go of the channel to the primary, which would otherwise keep this process alive after
// `serve` has stopped. Letting go as the cluster worker (not process.disconnect) tells node:cluster
// it was deliberate, so the exit code `serve` returned stays.
import cluster from 'node:cluster';
import { run } from './program.ts';

const code = await run(['serve'], {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
process.exitCode = code;
cluster.worker?.disconnect();
