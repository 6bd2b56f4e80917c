import test from 'ava';
import {
  HEAP_GROWING_PERCENT,
  heapFlagsToStartWith,
  MAX_SEMI_SPACE_MIB,
} from '../src/heap-flags.ts';

const FLAG = `--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`;
const GROWING = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

test('the server commands get the young-generation and old-generation bounds; other commands do not', (t) => {
  for (const argv of [['serve'], ['serve', '--workers', '2'], ['dev'], ['example-api', '--json']]) {
    t.deepEqual(heapFlagsToStartWith(argv, [], ''), [FLAG, GROWING], argv.join(' '));
  }
  for (const argv of [
    [],
    ['--help'],
    ['clients', 'list'],
    ['db', 'migrate'],
    ['help', 'serve'],
    ['--server', 'serve', 'clients', 'list'],
  ]) {
    t.deepEqual(heapFlagsToStartWith(argv, [], ''), [], argv.join(' '));
  }
});

test("an operator's own bound wins, from NODE_OPTIONS or node's command line", (t) => {
  for (const [execArgv, nodeOptions] of [
    [[], '--max-semi-space-size=64'],
    [[], '--enable-source-maps  --max_semi_space_size=4'],
    [['--max-semi-space-size=2'], ''],
    [['--import', 'x.js', '--max-semi-space-size', '8'], ''],
  ] as const) {
    t.deepEqual(heapFlagsToStartWith(['serve'], execArgv, nodeOptions), [GROWING], nodeOptions);
  }
  for (const execArgv of [['--heap-growing-percent=100'], ['--heap_growing_percent', '20']]) {
    t.deepEqual(heapFlagsToStartWith(['serve'], execArgv, ''), [FLAG], execArgv.join(' '));
  }
  t.deepEqual(
    heapFlagsToStartWith(['serve'], ['--heap-growing-percent=100'], '--max-semi-space-size=8'),
    [],
  );
  t.deepEqual(heapFlagsToStartWith(['serve'], ['--enable-source-maps'], '--trace-warnings'), [
    FLAG,
    GROWING,
  ]);
});
