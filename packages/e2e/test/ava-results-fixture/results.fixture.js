// Fixture tests for ava-results.test.ts: two pass, and each way of failing that ava 7.0.0's TAP
// reporter could not report (an error with an undefined property; a test still pending when the
// run times out) happens once, beside a plain failed assertion.
import test from 'ava';

test('passes', (t) => {
  t.pass();
});

test('passes too', (t) => {
  t.true(true);
});

test('fails an assertion', (t) => {
  t.is(1, 2);
});

test('throws an error with an undefined property', () => {
  const error = new Error('boom');
  error.detail = undefined;
  throw error;
});

test('never settles', async () => {
  await new Promise((resolve) => setTimeout(resolve, 600_000));
});
