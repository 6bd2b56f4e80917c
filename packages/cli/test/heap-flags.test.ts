import test from 'ava';
import { heapFlagsToStartWith, MAX_SEMI_SPACE_MIB } from '../src/heap-flags.ts';

const FLAG = `--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`;

test('the server commands get the young-generation bound; other commands do not', (t) => {
  for (const argv of [['serve'], ['serve', '--workers', '2'], ['dev'], ['example-api', '--json']]) {
    t.deepEqual(heapFlagsToStartWith(argv, [], ''), [FLAG], argv.join(' '));
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
    t.deepEqual(heapFlagsToStartWith(['serve'], execArgv, nodeOptions), [], nodeOptions);
  }
  t.deepEqual(heapFlagsToStartWith(['serve'], ['--enable-source-maps'], '--trace-warnings'), [
    FLAG,
  ]);
});
