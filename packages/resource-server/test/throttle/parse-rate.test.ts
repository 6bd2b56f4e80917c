import test from 'ava';
import { errorCodes, ResourceServerConfigError, throttle } from '../../src/index.ts';
import { parseRate } from '../../src/throttle/parse-rate.ts';

const accepts = test.macro({
  exec(t, rate: string, limit: number, windowMs: number) {
    t.deepEqual(parseRate('throttle.rate', rate), { limit, windowMs });
    t.notThrows(() => throttle({ rate, by: 'client' }));
  },
  title: (_title, rate: string) => `accepts ${JSON.stringify(rate)}`,
});

test(accepts, '100/min', 100, 60_000);
test(accepts, '10/s', 10, 1_000);
test(accepts, '5/15min', 5, 900_000);
test(accepts, '1000/day', 1_000, 86_400_000);
test(accepts, '1000/hour', 1_000, 3_600_000);
test(accepts, '3/2h', 3, 7_200_000);
test(accepts, '7/seconds', 7, 1_000);
test(accepts, '2/30sec', 2, 30_000);
test(accepts, '1/minutes', 1, 60_000);
test(accepts, '1/31d', 1, 31 * 86_400_000);
test(accepts, '1000000000/s', 1_000_000_000, 1_000);

test('a parsed rate is frozen', (t) => {
  t.true(Object.isFrozen(parseRate('throttle.rate', '1/s')));
});

const rejects = test.macro({
  exec(t, rate: unknown) {
    const error = t.throws(() => throttle({ rate: rate as string, by: 'client' }), {
      instanceOf: ResourceServerConfigError,
    });
    t.is(error?.code, errorCodes.config);
    t.is(error?.key, 'throttle.rate');
    t.true(error?.message.includes('"throttle.rate"'));
  },
  title: (_title, rate: unknown) =>
    `rejects ${JSON.stringify(rate) ?? String(rate)} at construction`,
});

for (const rate of [
  undefined,
  100,
  '',
  '100',
  '100/',
  '/min',
  '0/min',
  '-1/min',
  '1.5/min',
  '1e3/min',
  '100/ms',
  '100/Min',
  '100/MIN',
  '100/month',
  '100/0min',
  '100/1.5min',
  '100/ min',
  '100 /min',
  '100/min/s',
  '100/min ago',
  '10/32d',
  '1/745h',
  '1000000001/s',
  '99999999999999999999/s',
  `1/${'9'.repeat(400)}s`,
  '100/constructor',
  '100/__proto__',
]) {
  test(rejects, rate);
}
