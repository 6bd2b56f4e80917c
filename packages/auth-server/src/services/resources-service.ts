import {
  createResourcesRepository,
  type Database,
  type ResourceRecord,
  type ScopeRecord,
} from '@portcullis/storage';
import { OIDC_SCOPES } from '../provider/resource-indicators.ts';
import { fromStorage } from './clients-service.ts';
import {
  invalidInput,
  validateName,
  validateResourceIdentifier,
  validateScopeName,
} from './validation.ts';

/** What the operator asks for in `resources create`. */
export interface CreateResourceInput {
  identifier: string;
  name: string;
  scopes: readonly ScopeRecord[];
  /** Access-token lifetime in seconds [600]: a JWT cannot be recalled, so keep it short. */
  accessTokenTtl?: number;
}

/**
 * Parses `name=description` (the CLI's `--scope` form); the description is what consent pages
 * show, so it is required.
 */
export function parseScopeDefinition(value: string): ScopeRecord {
  const at = value.indexOf('=');
  if (at <= 0) invalidInput(`--scope "${value}" must be name=description`);
  const description = value.slice(at + 1).trim();
  if (!description) invalidInput(`--scope "${value}" needs a description after =`);
  if (description.length > 300)
    invalidInput(`the description of scope "${value.slice(0, at)}" is over 300 characters`);
  return { name: validateScopeName(value.slice(0, at)), description };
}

/** API resource registration for the CLI. */
export function createResourcesService(db: Database) {
  const resources = createResourcesRepository(db);
  return {
    async create(input: CreateResourceInput): Promise<ResourceRecord> {
      const identifier = validateResourceIdentifier(input.identifier);
      const name = validateName(input.name, 'resource name');
      const seen = new Set<string>();
      for (const scope of input.scopes) {
        validateScopeName(scope.name);
        if (OIDC_SCOPES.includes(scope.name))
          invalidInput(`"${scope.name}" is an OpenID scope, not a resource scope`);
        if (seen.has(scope.name)) invalidInput(`scope "${scope.name}" is given twice`);
        seen.add(scope.name);
      }
      const ttl = input.accessTokenTtl ?? 600;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
        invalidInput('the access-token lifetime must be a whole number of seconds from 1 to 86400');
      }
      try {
        return await resources.create({
          identifier,
          name,
          scopes: [...input.scopes],
          accessTokenTtl: ttl,
        });
      } catch (error) {
        throw fromStorage(error);
      }
    },

    list: () => resources.list(),

    find: (identifier: string) => resources.find(identifier),
  };
}

/** The service {@link createResourcesService} returns. */
export type ResourcesService = ReturnType<typeof createResourcesService>;
