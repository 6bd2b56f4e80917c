import test from 'ava';
import { newId } from '../src/services/new-id.ts';

test('an id (client, user, grant) is 22 base64url characters and never starts with "-" (it would read as a CLI option)', (t) => {
  const ids = Array.from({ length: 10_000 }, newId);
  // With a leading "-" allowed, 10,000 draws would hold one with near certainty (1 - (63/64)^10000).
  t.false(ids.some((id) => id.startsWith('-')));
  t.true(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id)));
  t.is(new Set(ids).size, ids.length);
});
