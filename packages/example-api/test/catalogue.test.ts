import test from 'ava';
import { catalogue } from '../src/index.ts';

test('the catalogue declares what `portcullis dev` seeds for the example API', (t) => {
  t.deepEqual(catalogue.toJSON(), {
    resources: [
      {
        identifier: 'http://localhost:4000',
        name: 'Example notes API',
        scopes: [
          { name: 'notes:read', description: 'Read your notes' },
          { name: 'notes:write', description: 'Create and delete your notes' },
        ],
      },
    ],
  });
});

test('its rules accept only its scopes', (t) => {
  t.notThrows(() => catalogue.rules.resourceScope('notes'));
  // @ts-expect-error `notes:delete` is not declared
  t.throws(() => catalogue.rules.allOf('notes:delete'));
});
