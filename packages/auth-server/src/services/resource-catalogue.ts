import type { ScopeRecord } from '@portcullis/storage';
import { OIDC_SCOPES } from '../domain/oidc-scopes.ts';
import { AuthServerError } from '../errors.ts';
import {
  invalidInput,
  validateName,
  validateResourceIdentifier,
  validateScopeName,
} from './validation.ts';

/** One resource as a catalogue declares it. */
export interface DeclaredResource {
  identifier: string;
  name: string;
  scopes: ScopeRecord[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKeys(value: Json, keys: readonly string[], at: string): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) invalidInput(`${at}: unknown key "${key}"`);
  }
}

// The validators' messages name the value; prefix them with where it is in the document.
function at<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AuthServerError) invalidInput(`${where}: ${error.message}`);
    throw error;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const controlCharacter = /[\u0000-\u001f\u007f]/;

function parseScope(value: unknown, where: string): ScopeRecord {
  if (!isObject(value)) invalidInput(`${where}: must be { "name", "description" }`);
  onlyKeys(value, ['name', 'description'], where);
  if (typeof value.name !== 'string') invalidInput(`${where}.name: must be a string`);
  const name = at(`${where}.name`, () => validateScopeName(value.name as string));
  if (OIDC_SCOPES.includes(name)) {
    invalidInput(`${where}.name: "${name}" is an OpenID scope, not a resource scope`);
  }
  if (typeof value.description !== 'string') invalidInput(`${where}.description: must be a string`);
  // What consent pages show: the same limits as `resources create --scope name=description`.
  const description = value.description.trim();
  if (description.length === 0 || description.length > 300) {
    invalidInput(`${where}.description: must be 1 to 300 characters`);
  }
  if (controlCharacter.test(description)) {
    invalidInput(`${where}.description: must not contain control characters`);
  }
  return { name, description };
}

function parseResource(value: unknown, where: string): DeclaredResource {
  if (!isObject(value)) invalidInput(`${where}: must be { "identifier", "name", "scopes" }`);
  onlyKeys(value, ['identifier', 'name', 'scopes'], where);
  if (typeof value.identifier !== 'string') invalidInput(`${where}.identifier: must be a string`);
  const identifier = at(`${where}.identifier`, () =>
    validateResourceIdentifier(value.identifier as string),
  );
  if (typeof value.name !== 'string') invalidInput(`${where}.name: must be a string`);
  const name = at(`${where}.name`, () => validateName(value.name as string, 'the name'));
  if (!Array.isArray(value.scopes)) invalidInput(`${where}.scopes: must be a list`);
  const scopes = value.scopes.map((scope, i) => parseScope(scope, `${where}.scopes[${i}]`));
  const seen = new Set<string>();
  for (const [i, scope] of scopes.entries()) {
    if (seen.has(scope.name)) {
      invalidInput(`${where}.scopes[${i}]: scope "${scope.name}" is declared twice`);
    }
    seen.add(scope.name);
  }
  return { identifier, name, scopes };
}

/**
 * Validates a catalogue document, the JSON form of the resource server's `defineCatalogue`:
 * `{ "resources": [{ "identifier", "name", "scopes": [{ "name", "description" }] }] }`, with the
 * rules of `resources create` (and descriptions without control characters), no unknown keys,
 * and no identifier or name (regardless of case) declared twice. Errors are `invalid_input` with
 * one line that says where (`resources[0].scopes[1].name: ...`).
 *
 * @example
 * const declared = parseResourceCatalogue(JSON.parse(await readFile('catalogue.json', 'utf8')));
 */
export function parseResourceCatalogue(value: unknown): DeclaredResource[] {
  if (!isObject(value)) invalidInput('the catalogue must be an object { "resources": [...] }');
  onlyKeys(value, ['resources'], 'the catalogue');
  if (!Array.isArray(value.resources)) invalidInput('the catalogue needs a "resources" list');
  const resources = value.resources.map((r, i) => parseResource(r, `resources[${i}]`));
  const identifiers = new Set<string>();
  const names = new Set<string>();
  for (const [i, resource] of resources.entries()) {
    if (identifiers.has(resource.identifier)) {
      invalidInput(`resources[${i}]: identifier "${resource.identifier}" is declared twice`);
    }
    identifiers.add(resource.identifier);
    if (names.has(resource.name.toLowerCase())) {
      invalidInput(`resources[${i}]: name "${resource.name}" is declared twice`);
    }
    names.add(resource.name.toLowerCase());
  }
  return resources;
}
