/**
 * The OpenAPI schema of one page of a list of `item` (a schema of `components.schemas`): its
 * `items` and the `next_cursor` of the next page, null on the last (pagination.ts).
 *
 * @example
 * const schemas = { Grant: grant, GrantPage: pageOf('Grant') };
 */
export const pageOf = <T extends string>(item: T) =>
  ({
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${item}` as const } },
      next_cursor: { type: ['string', 'null'], description: 'pass as ?cursor= for the next page' },
    },
    additionalProperties: false,
  }) as const;
