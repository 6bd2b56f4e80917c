import { defineCatalogue } from '@portcullis/resource-server';

/**
 * The example API's resource and scopes, declared once: its routes take their rules from here,
 * and `portcullis resources apply --from packages/example-api/src/catalogue.ts` registers the
 * same at the authorization server (what `portcullis dev` seeds), so the two cannot drift.
 *
 * @example
 * router.get('/notes', authenticate, permit(catalogue.rules.resourceScope('notes')), listNotes);
 */
export const catalogue = defineCatalogue({
  notes: {
    identifier: 'http://localhost:4000',
    name: 'Example notes API',
    scopes: {
      'notes:read': 'Read your notes',
      'notes:write': 'Create and delete your notes',
    },
  },
});

export default catalogue;
