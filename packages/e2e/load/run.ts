// `pnpm loadtest`: a bounded mixed load on a Portcullis stack on this machine (client-credentials
// tokens, example-API calls and refresh-token rotations, all at once), reporting throughput,
// latency percentiles and failures; with --soak DURATION, the same mix repeated for that long
// while the authorization server's memory is sampled, and judged flat or not. `--help` for more.
import { type LoadOptions, parseLoadOptions, USAGE, UsageError } from './options.ts';

let options: LoadOptions | 'help';
try {
  options = parseLoadOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`loadtest: ${error.message}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

try {
  // Loaded only now: refusing bad options never waits for the stack's modules.
  const { runLoad } = await import('./load.ts');
  const { formatReport } = await import('./report.ts');
  const report = await runLoad(options);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  process.exit(report.passed ? 0 : 1);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`loadtest: ${message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
