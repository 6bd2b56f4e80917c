// V8's heap sizing for the server commands (issue 16, item 3). Node 24 sizes V8's young
// generation from the machine's memory: on a machine with gigabytes to spare it lets each
// semi-space grow to 64 MiB under load (128 MiB of new space), and the old generation grow to
// up to four times its live size between full collections, so under sustained load the peak
// keeps rising for minutes. A server whose live heap is about 30-40 MiB then holds 350-400 MiB.
// The flags below bound both, for a few per cent of CPU per request (docs/benchmarks.md,
// "Memory"); an operator's own flags always win.

/** The commands that run a server for as long as they run, and so get the flags. */
const SERVER_COMMANDS = new Set(['serve', 'dev', 'example-api']);

/**
 * Each semi-space of the young generation at most this many MiB. Takes effect only when the
 * process starts: {@link heapFlagsToStartWith} starts the process again with it.
 */
export const MAX_SEMI_SPACE_MIB = 16;

/**
 * The old generation grows to at most this per cent above what a full collection left, before
 * the next one (V8's own factor is dynamic, 1.1 to 4 on a machine with this much memory). Like
 * the semi-space bound, V8 reads it only when it starts; Node refuses it in NODE_OPTIONS, so an
 * operator sets another value on node's command line (`node --heap-growing-percent=100 ...`).
 */
export const HEAP_GROWING_PERCENT = 50;

/** The flags, as Node takes them on its command line, with the values the servers get. */
const SERVER_FLAGS: ReadonlyArray<readonly [flag: string, value: number]> = [
  ['--max-semi-space-size', MAX_SEMI_SPACE_MIB],
  ['--heap-growing-percent', HEAP_GROWING_PERCENT],
];

/**
 * The command a `portcullis` command line runs: its first word, skipping `--server URL` (the
 * one global option that takes a value), as program.ts reads it.
 */
function commandOf(argv: readonly string[]): string | undefined {
  return argv.find((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--server');
}

/**
 * The Node options a `portcullis` process started with `argv` (after the script) should have
 * and lacks: `--max-semi-space-size` and `--heap-growing-percent` for the server commands, each
 * unless Node's own options (`execArgv`) or NODE_OPTIONS already set it. Empty when nothing is
 * to change.
 *
 * @example
 * heapFlagsToStartWith(['serve'], [], ''); // ['--max-semi-space-size=16', '--heap-growing-percent=50']
 * heapFlagsToStartWith(['serve'], [], '--max-semi-space-size=64'); // ['--heap-growing-percent=50']
 * heapFlagsToStartWith(['clients', 'list'], [], ''); // []
 */
export function heapFlagsToStartWith(
  argv: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string,
): string[] {
  const command = commandOf(argv);
  if (command === undefined || !SERVER_COMMANDS.has(command)) return [];
  // Node and V8 take `--max_semi_space_size` for `--max-semi-space-size` too.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((option) =>
    option.replaceAll('_', '-'),
  );
  return SERVER_FLAGS.filter(([flag]) => !given.some((option) => option.startsWith(flag))).map(
    ([flag, value]) => `${flag}=${value}`,
  );
}

/**
 * Gives a server command's process the heap flags it lacks (see {@link heapFlagsToStartWith}):
 * the young generation's size is fixed when V8 starts, so the process replaces itself with the
 * same command line plus the flags (`process.execve`: same pid, same standard streams, nothing
 * else carried over; its cost is one more Node.js start-up, tens of milliseconds). Returns when there is
 * nothing to add, when this Node.js has no `process.execve` (before 22.15), or when the process
 * has an IPC channel to its parent, which would not survive the replacement.
 *
 * @example
 * startWithHeapFlags(process); // at the top of bin.ts, before anything else loads
 */
export function startWithHeapFlags(proc: NodeJS.Process): void {
  const flags = heapFlagsToStartWith(
    proc.argv.slice(2),
    proc.execArgv,
    proc.env.NODE_OPTIONS ?? '',
  );
  if (flags.length === 0 || typeof proc.execve !== 'function' || proc.channel !== undefined) {
    return;
  }
  proc.execve(proc.execPath, [proc.execPath, ...flags, ...proc.execArgv, ...proc.argv.slice(1)]);
}
