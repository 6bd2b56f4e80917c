import { ResourceServerConfigError } from '../errors.ts';
import { allOf } from '../rules/all-of.ts';
import { anyOf } from '../rules/any-of.ts';
import { type MethodRequirements, perMethod } from '../rules/per-method.ts';
import { type ReadWriteScopes, readWrite } from '../rules/read-write.ts';
import { resourceScope } from '../rules/resource-scope.ts';
import type { Rule } from '../rules/rule.ts';
import { isScopeToken } from '../rules/scope-list.ts';

/** One API resource of a catalogue: what the authorization server registers for it. */
export interface ResourceDeclaration {
  /** The resource identifier (RFC 8707), the `aud` of its tokens: an absolute http(s) URI. */
  readonly identifier: string;
  /** Display name, 1 to 100 characters, unique regardless of case. */
  readonly name: string;
  /** Each scope and the description a consent page shows for it (1 to 300 characters). */
  readonly scopes: { readonly [scope: string]: string };
}

/** Resources by a name of your choosing (the name only serves your code). */
export type CatalogueDeclaration = { readonly [key: string]: ResourceDeclaration };

/** The union of every scope a catalogue declares, e.g. `'notes:read' | 'notes:write'`. */
export type CatalogueScope<D extends CatalogueDeclaration> = {
  [K in keyof D]: keyof D[K]['scopes'] & string;
}[keyof D];

type ResourceOf<S extends string, Action extends string> = S extends `${infer R}:${Action}`
  ? R
  : never;

/** The resource names `resourceScope` accepts: those with both `<name>:read` and `<name>:write`. */
export type CatalogueResourceName<S extends string> = Extract<
  ResourceOf<S, 'read'>,
  ResourceOf<S, 'write'>
>;

/** Rule builders that accept only the catalogue's scopes: a typo is a type error. */
export interface CatalogueRules<S extends string> {
  /** {@link allOf} over catalogue scopes. */
  allOf(...scopes: [S, ...S[]]): Rule;
  /** {@link anyOf} over catalogue scopes. */
  anyOf(...scopes: [S, ...S[]]): Rule;
  /** {@link readWrite} over catalogue scopes. */
  readWrite(scopes: ReadWriteScopes<S>): Rule;
  /** {@link resourceScope} for a name whose `:read` and `:write` scopes are both declared. */
  resourceScope(name: CatalogueResourceName<S>): Rule;
  /** {@link perMethod} over catalogue scopes. */
  perMethod(requirements: MethodRequirements<S>): Rule;
}

/**
 * The JSON form of a catalogue, what `portcullis resources apply --from` reads: resources and
 * scopes in declaration order.
 */
export interface CatalogueJson {
  resources: Array<{
    identifier: string;
    name: string;
    scopes: Array<{ name: string; description: string }>;
  }>;
}

/** What {@link defineCatalogue} returns. */
export interface Catalogue<D extends CatalogueDeclaration> {
  /** The declaration, validated and frozen. */
  readonly resources: D;
  /** Every declared scope, in declaration order. */
  readonly scopes: readonly CatalogueScope<D>[];
  /** Rule builders typed to the catalogue's scopes. */
  readonly rules: CatalogueRules<CatalogueScope<D>>;
  /** The JSON form (`JSON.stringify(catalogue)` gives the same). */
  toJSON(): CatalogueJson;
}

// The authorization server's own limits (the CLI applies the same), checked here too so a
// catalogue that loads is one that `portcullis resources apply` accepts.
const openIdScopes = new Set(['openid', 'offline_access', 'profile', 'email']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f]/;

function fail(key: string, message: string): never {
  throw new ResourceServerConfigError(key, message);
}

function checkIdentifier(key: string, value: unknown): void {
  if (typeof value !== 'string') fail(key, 'must be a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(key, 'must be an absolute URI');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(key, 'must be an http(s) URI');
  if (value.includes('#')) fail(key, 'must not contain a fragment');
  if (url.username || url.password) fail(key, 'must not contain credentials');
}

function checkText(key: string, value: unknown, max: number): void {
  if (typeof value !== 'string') fail(key, 'must be a string');
  const text = value.trim();
  if (text.length === 0 || text.length > max) fail(key, `must be 1 to ${max} characters`);
  if (controlCharacter.test(text)) fail(key, 'must not contain control characters');
}

function checkDeclaration(declaration: unknown): asserts declaration is CatalogueDeclaration {
  if (typeof declaration !== 'object' || declaration === null || Array.isArray(declaration)) {
    fail('catalogue', 'give { key: { identifier, name, scopes } }');
  }
  const identifiers = new Set<string>();
  const names = new Set<string>();
  for (const [key, resource] of Object.entries(declaration)) {
    const at = `catalogue.${key}`;
    if (typeof resource !== 'object' || resource === null) fail(at, 'must be an object');
    for (const field of Object.keys(resource)) {
      if (!['identifier', 'name', 'scopes'].includes(field)) fail(`${at}.${field}`, 'unknown key');
    }
    const { identifier, name, scopes } = resource as ResourceDeclaration;
    checkIdentifier(`${at}.identifier`, identifier);
    if (identifiers.has(identifier)) fail(`${at}.identifier`, 'is declared twice');
    identifiers.add(identifier);
    checkText(`${at}.name`, name, 100);
    if (names.has(name.trim().toLowerCase())) fail(`${at}.name`, 'is declared twice');
    names.add(name.trim().toLowerCase());
    if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) {
      fail(`${at}.scopes`, 'give { scope: description }');
    }
    for (const [scope, description] of Object.entries(scopes)) {
      if (!isScopeToken(scope) || scope.length > 100) {
        fail(
          `${at}.scopes`,
          `"${scope}" is not a scope name (printable ASCII, no spaces or quotes)`,
        );
      }
      if (openIdScopes.has(scope)) fail(`${at}.scopes`, `"${scope}" is an OpenID scope`);
      checkText(`${at}.scopes.${scope}`, description, 300);
    }
  }
}

function freeze<D extends CatalogueDeclaration>(declaration: D): D {
  const copy: Record<string, ResourceDeclaration> = {};
  for (const [key, { identifier, name, scopes }] of Object.entries(declaration)) {
    copy[key] = Object.freeze({ identifier, name, scopes: Object.freeze({ ...scopes }) });
  }
  return Object.freeze(copy) as D;
}

/**
 * Declares API resources and their scopes, with the descriptions consent pages show, once, in
 * TypeScript. The result's `rules` accept only declared scopes (`'notes:raed'` is a type error,
 * and a runtime error for untyped callers), and `toJSON()` gives what `portcullis resources
 * apply --from` registers at the authorization server, so the API and the server cannot drift.
 * Everything is validated here, with the authorization server's limits.
 *
 * @example
 * export const catalogue = defineCatalogue({
 *   notes: {
 *     identifier: 'http://localhost:4000',
 *     name: 'Notes API',
 *     scopes: { 'notes:read': 'Read your notes', 'notes:write': 'Create and delete your notes' },
 *   },
 * });
 * router.get('/notes', rs.authenticate(), permit(catalogue.rules.allOf('notes:read')), listNotes);
 */
export function defineCatalogue<D extends CatalogueDeclaration>(declaration: D): Catalogue<D> {
  checkDeclaration(declaration);
  const resources = freeze(declaration);
  const scopes = Object.freeze([
    ...new Set(Object.values(resources).flatMap((r) => Object.keys(r.scopes))),
  ]) as readonly CatalogueScope<D>[];
  const known: ReadonlySet<string> = new Set(scopes);
  const only = (builder: string, values: readonly unknown[]) => {
    for (const value of values) {
      if (!known.has(value as string)) {
        fail(`catalogue.rules.${builder}`, `${JSON.stringify(value)} is not a catalogue scope`);
      }
    }
  };
  const listOf = (value: unknown) => (Array.isArray(value) ? value : [value]);

  const rules: CatalogueRules<CatalogueScope<D>> = {
    allOf(...list) {
      only('allOf', list);
      return allOf(...list);
    },
    anyOf(...list) {
      only('anyOf', list);
      return anyOf(...list);
    },
    readWrite(pair) {
      only('readWrite', [...listOf(pair?.read), ...listOf(pair?.write)]);
      return readWrite(pair);
    },
    resourceScope(name) {
      only('resourceScope', [`${name}:read`, `${name}:write`]);
      return resourceScope(name);
    },
    perMethod(requirements) {
      const all = Object.values(requirements ?? {}).flatMap((alternatives) =>
        listOf(alternatives).flatMap(listOf),
      );
      only('perMethod', all);
      return perMethod(requirements);
    },
  };

  const json: CatalogueJson = {
    resources: Object.values(resources).map((r) => ({
      identifier: r.identifier,
      name: r.name.trim(),
      scopes: Object.entries(r.scopes).map(([name, description]) => ({
        name,
        description: description.trim(),
      })),
    })),
  };
  return Object.freeze({
    resources,
    scopes,
    rules: Object.freeze(rules),
    toJSON: () => structuredClone(json),
  });
}
