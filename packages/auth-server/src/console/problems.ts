import type { ApiProblem } from './admin-api-client.ts';
import type { FormProblems } from './views/form-fields.ts';

// The field of a problem whose service error names no field, by the words it starts with (the
// clients service's shared validators: redirect URIs, resources, URLs, names). TODO: remove
// once the admin API's problems carry a pointer for these too (issue 15: a `field` member).
const BY_WORDING: ReadonlyArray<readonly [RegExp, string]> = [
  [/^redirect URI /, 'redirect_uris'],
  [/^(resource |unknown resource )/, 'resources'],
  [/^web origin /, 'web_origins'],
  [/^homepage /, 'homepage'],
  [/^logo URI /, 'logo_uri'],
  [/^client name /, 'name'],
];

/** How a form reads the API's problems besides their `field`s (problemsOf's `options`). */
export interface ProblemMapping {
  /** The form's field of a body member the form does not show as such (`put_scopes` → `scopes`). */
  aliases?: Readonly<Record<string, string>>;
  /** The form's field of a problem without a field, by the words it starts with. */
  wording?: ReadonlyArray<readonly [RegExp, string]>;
}

/**
 * A form's problems from the admin API's problem details: each `errors` entry under its `field`
 * (the body member or query parameter; else the first key of its JSON Pointer), through the
 * form's `aliases`; a problem without entries under the field its words name (`redirect URI "/x"
 * is not an absolute URI`), or as a general line. The words are the API's, which are the CLI's:
 * one validation, the same messages everywhere.
 *
 * @example
 * problemsOf({ detail: 'x', errors: [{ field: 'name', detail: 'name is required' }] });
 * // { fields: { name: ['name is required'] }, general: [] }
 */
export function problemsOf(problem: ApiProblem, options: ProblemMapping = {}): FormProblems {
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const entry of problem.errors ?? []) {
    const member = entry.field ?? entry.pointer?.split('/')[1] ?? entry.parameter;
    const field = member ? (options.aliases?.[member] ?? member) : undefined;
    if (field) fields[field] = [...(fields[field] ?? []), entry.detail];
    else general.push(entry.detail);
  }
  if (Object.keys(fields).length === 0 && general.length === 0) {
    const detail = problem.detail ?? problem.title ?? 'the admin API refused the form';
    const field = (options.wording ?? BY_WORDING).find(([wording]) => wording.test(detail))?.[1];
    if (field) fields[field] = [detail];
    else general.push(detail);
  }
  return { fields, general };
}
