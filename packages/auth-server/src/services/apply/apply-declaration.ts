import {
  type ClientRecord,
  createClientsRepository,
  createResourcesRepository,
  createRolesRepository,
  type Database,
  lockTransaction,
  type ResourceRecord,
  type RoleRecord,
} from '@portcullis/storage';
import { AuthServerError } from '../../errors.ts';
import {
  type CreateClientInput,
  createClientsService,
  fromStorage,
  shortGrant,
  type UpdateClientInput,
} from '../clients-service.ts';
import { planResourceChanges, type ResourceChange } from '../resources-apply.ts';
import { createResourcesService, RESOURCE_DEFAULTS } from '../resources-service.ts';
import { createRolesService } from '../roles-service.ts';
import {
  type IdentityProviderOutcome,
  reconcileIdentityProviders,
} from './apply-identity-providers.ts';
import type {
  Declaration,
  DeclarationPath,
  DeclarationProblem,
  DeclaredApiResource,
  DeclaredClient,
  DeclaredRole,
} from './declaration.ts';
import { locateProblem } from './locate-problem.ts';

/** One field that changes (or would): `before` is null for a new entry, `after` null when removed. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * What happens to an entry: `not_in_file` is registered, absent from the file and left alone
 * (without `prune`); `delete` is the same with `prune`.
 */
export type ApplyAction = 'create' | 'update' | 'unchanged' | 'delete' | 'not_in_file';

/** The outcome for one resource. */
export interface ResourceOutcome {
  identifier: string;
  action: ApplyAction;
  changes: FieldChange[];
  /** Its registered scopes the file does not declare, kept because `prune` was off. */
  scopesNotInFile: string[];
}

/** The outcome for one client. */
export interface ClientOutcome {
  name: string;
  /** Null for a client a plan would create: it has no id yet. */
  clientId: string | null;
  action: ApplyAction;
  changes: FieldChange[];
  /** It gets (or would get) a new secret: created confidential, or turned confidential. */
  newSecret: boolean;
}

/** The outcome for one role. */
export interface RoleOutcome {
  name: string;
  action: ApplyAction;
  changes: FieldChange[];
}

/** What {@link applyDeclaration} did or, with `dryRun`, would do. */
export interface ApplyDeclarationResult {
  /** False with `dryRun`: nothing was written. */
  applied: boolean;
  /** Declared resources in file order, then those not in the file. */
  resources: ResourceOutcome[];
  /** Declared clients in file order, then those not in the file. */
  clients: ClientOutcome[];
  /** Declared roles in file order, then those not in the file. */
  roles: RoleOutcome[];
  /** Declared identity providers in file order, then those not in the file. */
  identityProviders: IdentityProviderOutcome[];
  /** New secrets by client name: the only time they are shown (never with `dryRun`). */
  secrets: Record<string, string>;
}

/** Options of {@link applyDeclaration}. */
export interface ApplyDeclarationOptions {
  /** Work out every change, check it against the database, write nothing [false]. */
  dryRun?: boolean;
  /** Delete clients, resources and scopes the file does not declare [false: report them]. */
  prune?: boolean;
  /** Who made the changes, for the audit trail. */
  actor?: string;
  /** Problems already found in the file ({@link parseDeclaration}): reported with the rest. */
  problems?: readonly DeclarationProblem[];
  /**
   * With `prune`, the deletions the operator agreed to ({@link destructiveChanges} of a plan):
   * if the database changed since and the apply would delete anything else, it fails with
   * `conflict` and writes nothing.
   */
  confirmedDeletions?: readonly string[];
  /**
   * The servers' key-encryption key: identity providers' client secrets are stored under it.
   * Needed when the file declares identity providers.
   */
  keyEncryptionKey?: Buffer;
  /** Where identity providers' `client_secret_env` names are read [none]. */
  environment?: Readonly<Record<string, string | undefined>>;
}

/** The file has problems: `problems` lists every one, with its path. Nothing was written. */
export class DeclarationProblems extends AuthServerError {
  readonly problems: DeclarationProblem[];

  constructor(problems: DeclarationProblem[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super('invalid_input', `${count} in the file: nothing was applied`);
    this.problems = problems;
  }
}

// A client's fields in the file's terms, for the diff.
const CLIENT_VIEW: ReadonlyArray<readonly [string, (client: ClientRecord) => unknown]> = [
  ['name', (c) => c.name],
  ['grants', (c) => c.grantTypes.map(shortGrant)],
  ['redirect_uris', (c) => c.redirectUris],
  ['web_origins', (c) => c.webOrigins],
  ['dpop_bound_access_tokens', (c) => c.dpopBoundAccessTokens],
  ['require_pushed_authorization_requests', (c) => c.requirePushedAuthorizationRequests],
  ['require_mfa', (c) => c.requireMfa],
  ['backchannel_logout_uri', (c) => c.backchannelLogoutUri],
  ['backchannel_logout_session_required', (c) => c.backchannelLogoutSessionRequired],
  ['scopes', (c) => c.scopes],
  ['resources', (c) => c.resources],
  ['may_exchange_for', (c) => c.mayExchangeFor],
  ['public', (c) => c.isPublic],
  // Shown only where it is not the default of the client's type (a secret, or none if public).
  [
    'token_endpoint_auth_method',
    (c) => (c.tokenEndpointAuthMethod === 'private_key_jwt' ? c.tokenEndpointAuthMethod : null),
  ],
  ['jwks', (c) => c.jwks],
  ['jwks_uri', (c) => c.jwksUri],
  ['first_party', (c) => c.firstParty],
  ['homepage', (c) => c.clientUri],
  ['logo_uri', (c) => c.logoUri],
  ['access_token_ttl', (c) => c.accessTokenTtl],
  ['refresh_token_ttl', (c) => c.refreshTokenTtl],
  ['disabled', (c) => c.disabledAt !== null],
];

const unset = (value: unknown) =>
  value === null || value === false || (Array.isArray(value) && value.length === 0);

function clientChanges(before: ClientRecord | undefined, after: ClientRecord): FieldChange[] {
  return CLIENT_VIEW.flatMap(([field, get]) => {
    const [was, is] = [before ? get(before) : null, get(after)];
    if (before === undefined ? unset(is) : JSON.stringify(was) === JSON.stringify(is)) return [];
    return [{ field, before: was, after: is }];
  });
}

function resourceChanges(
  planned: readonly ResourceChange[],
  before: ResourceRecord | undefined,
  after: ResourceRecord,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const scope = (name: string) => `scopes.${name}`;
  for (const change of planned.filter((c) => c.action === 'create_resource')) {
    changes.push({ field: 'name', before: null, after: change.name });
  }
  for (const change of planned.filter((c) => c.action === 'rename_resource')) {
    changes.push({ field: 'name', before: change.from, after: change.to });
  }
  for (const [field, key] of [
    ['access_token_ttl', 'accessTokenTtl'],
    ['access_token_format', 'accessTokenFormat'],
  ] as const) {
    if (before?.[key] !== after[key]) {
      changes.push({ field, before: before?.[key] ?? null, after: after[key] });
    }
  }
  if ((before?.rolesClaim ?? false) !== after.rolesClaim) {
    changes.push({
      field: 'roles_claim',
      before: before?.rolesClaim ?? null,
      after: after.rolesClaim,
    });
  }
  for (const { name } of after.scopes) {
    const [was, is] = [
      before?.roleGatedScopes.includes(name),
      after.roleGatedScopes.includes(name),
    ];
    if ((was ?? false) !== is) {
      changes.push({ field: `${scope(name)}.role_gated`, before: was ?? null, after: is });
    }
  }
  for (const change of planned) {
    if (change.action === 'add_scope') {
      changes.push({ field: scope(change.scope), before: null, after: change.description });
    } else if (change.action === 'update_scope') {
      changes.push({ field: scope(change.scope), before: change.from, after: change.to });
    } else if (change.action === 'delete_scope') {
      const was = before?.scopes.find((s) => s.name === change.scope)?.description ?? null;
      changes.push({ field: scope(change.scope), before: was, after: null });
    }
  }
  return changes;
}

const action = (changes: readonly FieldChange[]): ApplyAction =>
  changes.length > 0 ? 'update' : 'unchanged';

/**
 * The deletions in a result, one line each (`client "legacy" (id)`, `resource URI`,
 * `scope NAME of URI`): what `--prune` asks the operator to confirm.
 *
 * @example
 * const plan = await applyDeclaration(db, declaration, { prune: true, dryRun: true });
 * if (destructiveChanges(plan).length > 0) await ask(destructiveChanges(plan).join('\n'));
 */
export function destructiveChanges(result: ApplyDeclarationResult): string[] {
  return [
    ...result.clients
      .filter((c) => c.action === 'delete')
      .map((c) => `client "${c.name}" (${c.clientId})`),
    ...result.resources.filter((r) => r.action === 'delete').map((r) => `resource ${r.identifier}`),
    ...result.roles.filter((r) => r.action === 'delete').map((r) => `role "${r.name}"`),
    ...result.identityProviders
      .filter((p) => p.action === 'delete')
      .map((p) => `identity provider "${p.name}" (its users' links)`),
    ...result.resources.flatMap((r) =>
      r.action === 'delete'
        ? []
        : r.changes
            .filter((c) => /^scopes\.[^.]+$/.test(c.field) && c.after === null)
            .map((c) => `scope ${c.field.slice('scopes.'.length)} of ${r.identifier}`),
    ),
  ];
}

// Thrown to roll a dry run back once its result is known.
class RollBack extends Error {
  readonly result: ApplyDeclarationResult;
  constructor(result: ApplyDeclarationResult) {
    super('dry run');
    this.result = result;
  }
}

/**
 * Brings the registration to what a declaration file says (`portcullis apply`), in one
 * transaction, through the same services as `resources create|update|delete` and `clients
 * create|update|disable|enable|delete`: the same validation, the same audit events, and running
 * servers see every change within a second. Resources are matched by identifier and clients by
 * name (regardless of case). Unset client fields take `clients create`'s defaults; `disabled`
 * unset leaves an existing client as it is. Registered clients, resources and scopes absent from
 * the file are reported, or deleted with `prune`. Applying the same file again changes nothing.
 *
 * Every problem (with its path in the file) is collected, those of `options.problems` included;
 * if there is any, nothing is written and {@link DeclarationProblems} lists them all. With
 * `dryRun` everything is checked against the database, then rolled back.
 *
 * @example
 * const { declaration, problems } = parseDeclaration(YAML.parse(text));
 * const plan = await applyDeclaration(db, declaration, { problems, dryRun: true });
 * const done = await applyDeclaration(db, declaration, { actor: 'cli:alice' });
 * console.log(done.secrets); // { billing: '...' }: shown once
 */
export async function applyDeclaration(
  db: Database,
  declaration: Declaration,
  options: ApplyDeclarationOptions = {},
): Promise<ApplyDeclarationResult> {
  try {
    return await db.transaction(async (trx) => {
      // One apply at a time: each plans against a state no other apply is changing.
      await lockTransaction(trx, 'portcullis.apply');
      const problems = [...(options.problems ?? [])];
      const result = await reconcile(trx, declaration, options, problems);
      if (problems.length > 0) throw new DeclarationProblems(problems);
      if (options.confirmedDeletions !== undefined) {
        const now = destructiveChanges(result).sort();
        const agreed = [...options.confirmedDeletions].sort();
        if (now.join('\n') !== agreed.join('\n')) {
          throw new AuthServerError(
            'conflict',
            'the registration changed since the deletions were confirmed: nothing was applied; run apply again',
          );
        }
      }
      if (options.dryRun) throw new RollBack(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.result;
    throw fromStorage(error);
  }
}

async function reconcile(
  trx: Database,
  declaration: Declaration,
  options: ApplyDeclarationOptions,
  problems: DeclarationProblem[],
): Promise<ApplyDeclarationResult> {
  const prune = options.prune ?? false;
  const change = { actor: options.actor ?? 'system' };
  const result: ApplyDeclarationResult = {
    applied: !options.dryRun,
    resources: [],
    clients: [],
    roles: [],
    identityProviders: [],
    secrets: {},
  };

  // Each entry in a savepoint of its own: a failed one is a problem reported with its path, and
  // the others are still checked. `inFileTerms` may word the problem for a file instead.
  const attempt = async <T>(
    path: DeclarationPath,
    work: (db: Database) => Promise<T>,
    inFileTerms: (error: AuthServerError) => string | undefined = () => undefined,
  ): Promise<T | undefined> => {
    try {
      return await trx.transaction(work);
    } catch (error) {
      const converted = fromStorage(error);
      if (!(converted instanceof AuthServerError)) throw error;
      problems.push(locateProblem(path, converted, inFileTerms(converted)));
      return undefined;
    }
  };

  // A client's resource that is neither registered nor applied from the file: the services say
  // to register it, and a file may declare it instead.
  const unknownResource = (error: AuthServerError) => {
    const known = [...registeredResources, ...result.resources].map((r) => r.identifier);
    return error.field === 'resources' &&
      typeof error.value === 'string' &&
      !known.includes(error.value)
      ? `unknown resource "${error.value}": declare it under resources or register it with \`portcullis resources create\``
      : undefined;
  };

  const registeredResources = await createResourcesRepository(trx).list();
  const declaredIds = new Set(declaration.resources.map((r) => r.identifier));
  for (const resource of declaration.resources) {
    const outcome = await applyResource(resource);
    if (outcome) result.resources.push(outcome);
  }

  // Roles after resources: their scopes may be the file's new ones.
  const registeredRoles = await createRolesRepository(trx).list();
  for (const role of declaration.roles) {
    const outcome = await applyRole(role);
    if (outcome) result.roles.push(outcome);
  }
  const declaredRoles = new Set(declaration.roles.map((r) => r.name.toLowerCase()));
  for (const role of registeredRoles) {
    if (declaredRoles.has(role.name.toLowerCase())) continue;
    if (!prune) {
      result.roles.push({ name: role.name, action: 'not_in_file', changes: [] });
      continue;
    }
    const deleted = await attempt(['roles'], (db) =>
      createRolesService(db).delete(role.name, change),
    );
    if (deleted) result.roles.push({ name: role.name, action: 'delete', changes: [] });
  }

  result.identityProviders = await reconcileIdentityProviders(trx, declaration.identityProviders, {
    prune,
    change,
    keyEncryptionKey: options.keyEncryptionKey,
    environment: options.environment ?? {},
    attempt: (path, work) => attempt(path, work),
  });

  const registeredClients = await createClientsRepository(trx).list();
  const declaredNames = new Set(declaration.clients.map((c) => c.name.toLowerCase()));
  const broken = new Set(declaration.brokenResources);
  for (const client of declaration.clients) {
    if (client.resources.some((r) => broken.has(r))) continue;
    const outcome = await applyClient(client);
    if (outcome) result.clients.push(outcome);
  }

  // Clients before resources: a pruned resource may be used by a pruned client. Clients that
  // registered themselves (RFC 7591) are no part of the declaration: never reported, never pruned.
  for (const client of registeredClients) {
    if (declaredNames.has(client.name.toLowerCase())) continue;
    if (client.registeredVia === 'dynamic') continue;
    const outcome = { name: client.name, clientId: client.id, changes: [], newSecret: false };
    if (!prune) {
      result.clients.push({ ...outcome, action: 'not_in_file' });
      continue;
    }
    const deleted = await attempt(['clients'], (db) =>
      createClientsService(db).delete(client.id, change),
    );
    if (deleted) result.clients.push({ ...outcome, action: 'delete' });
  }
  for (const resource of registeredResources) {
    if (declaredIds.has(resource.identifier)) continue;
    const outcome = { identifier: resource.identifier, changes: [], scopesNotInFile: [] };
    if (!prune) {
      result.resources.push({ ...outcome, action: 'not_in_file' });
      continue;
    }
    const users = declaration.clients.filter((c) => c.resources.includes(resource.identifier));
    for (const user of users) {
      const at = user.resources.indexOf(resource.identifier);
      problems.push({
        path: ['clients', user.index, 'resources', at],
        message: `resource "${resource.identifier}" is not in the file, so --prune deletes it: declare it under resources`,
      });
    }
    if (users.length > 0) continue;
    const deleted = await attempt(['resources'], (db) =>
      createResourcesService(db).delete(resource.identifier, change),
    );
    if (deleted) result.resources.push({ ...outcome, action: 'delete' });
  }
  return result;

  async function applyResource(declared: DeclaredApiResource) {
    const path = ['resources', declared.index];
    const current = registeredResources.find((r) => r.identifier === declared.identifier);
    const { identifier, name, scopes } = declared;
    let planned: ReturnType<typeof planResourceChanges>;
    try {
      // Only this resource, against every registered one the file does not also declare.
      const others = registeredResources.filter(
        (r) => r.identifier === identifier || !declaredIds.has(r.identifier),
      );
      planned = planResourceChanges([{ identifier, name, scopes }], others, prune);
    } catch (error) {
      if (!(error instanceof AuthServerError)) throw error;
      problems.push(locateProblem(path, error));
      return undefined;
    }
    const after = await attempt(path, async (db) => {
      const service = createResourcesService(db);
      if (!current) {
        return service.create(
          {
            identifier,
            name,
            scopes,
            accessTokenTtl: declared.accessTokenTtl ?? RESOURCE_DEFAULTS.accessTokenTtl,
            accessTokenFormat: declared.accessTokenFormat ?? RESOURCE_DEFAULTS.accessTokenFormat,
            roleGatedScopes: declared.roleGatedScopes,
            rolesClaim: declared.rolesClaim,
          },
          change,
        );
      }
      const updated = await service.update(
        identifier,
        {
          name,
          accessTokenTtl: declared.accessTokenTtl ?? RESOURCE_DEFAULTS.accessTokenTtl,
          accessTokenFormat: declared.accessTokenFormat ?? RESOURCE_DEFAULTS.accessTokenFormat,
          putScopes: planned.changes.flatMap((c) =>
            c.action === 'add_scope'
              ? [{ name: c.scope, description: c.description }]
              : c.action === 'update_scope'
                ? [{ name: c.scope, description: c.to }]
                : [],
          ),
          removeScopes: planned.changes.flatMap((c) =>
            c.action === 'delete_scope' ? [c.scope] : [],
          ),
          gateScopes: declared.roleGatedScopes,
          ungateScopes: scopes
            .map((s) => s.name)
            .filter((s) => !declared.roleGatedScopes.includes(s)),
          rolesClaim: declared.rolesClaim,
        },
        change,
      );
      return updated.resource;
    });
    if (!after) return undefined;
    const changes = resourceChanges(planned.changes, current, after);
    return {
      identifier,
      action: current ? action(changes) : 'create',
      changes,
      scopesNotInFile: planned.undeclared.map((u) => u.scope),
    } satisfies ResourceOutcome;
  }

  async function applyRole(declared: DeclaredRole) {
    const current = registeredRoles.find(
      (r) => r.name.toLowerCase() === declared.name.toLowerCase(),
    );
    const input = { description: declared.description, scopes: declared.scopes };
    const after = await attempt(['roles', declared.index], async (db) => {
      const service = createRolesService(db);
      if (!current) return service.create({ name: declared.name, ...input }, change);
      return (await service.update(current.name, input, change)).role;
    });
    if (!after) return undefined;
    const changes = roleChanges(current, after);
    return {
      name: after.name,
      action: current ? action(changes) : 'create',
      changes,
    } satisfies RoleOutcome;
  }

  async function applyClient(declared: DeclaredClient) {
    const path = ['clients', declared.index];
    const current = registeredClients.find(
      (c) => c.name.toLowerCase() === declared.name.toLowerCase(),
    );
    const done = await attempt(
      path,
      async (db) => {
        const service = createClientsService(db);
        let client: ClientRecord;
        let clientSecret: string | undefined;
        // A self-registered client holds its own secret and registration access token: taking
        // it over would hand whatever the file grants (first-party, grants) to its registrant.
        if (current?.registeredVia === 'dynamic') {
          throw new AuthServerError(
            'conflict',
            `a client named "${current.name}" registered itself (dynamic registration, ${current.id}): apply does not take it over; rename the declared client, or delete that one first`,
            { field: 'name' },
          );
        }
        if (!current) {
          ({ client, clientSecret } = await service.create(createInput(declared), change));
        } else {
          ({ client, clientSecret } = await service.update(
            current.id,
            updateInput(declared),
            change,
          ));
        }
        const disabled = client.disabledAt !== null;
        if (declared.disabled === true && !disabled)
          client = await service.disable(client.id, change);
        if (declared.disabled === false && disabled)
          client = await service.enable(client.id, change);
        return { client, clientSecret };
      },
      unknownResource,
    );
    if (!done) return undefined;
    if (done.clientSecret && !options.dryRun) result.secrets[declared.name] = done.clientSecret;
    const changes = clientChanges(current, done.client);
    return {
      name: declared.name,
      clientId: current || !options.dryRun ? done.client.id : null,
      action: current ? action(changes) : 'create',
      changes,
      newSecret: done.clientSecret !== undefined,
    } satisfies ClientOutcome;
  }
}

// A role's description and scopes (`URI scope`, sorted) in the file's terms, for the diff.
function roleChanges(before: RoleRecord | undefined, after: RoleRecord): FieldChange[] {
  const view = (role: RoleRecord) => ({
    description: role.description,
    scopes: role.scopes.map((s) => `${s.resource} ${s.scope}`).sort(),
  });
  const [was, is] = [before ? view(before) : undefined, view(after)];
  return (['description', 'scopes'] as const).flatMap((field) => {
    const [from, to] = [was?.[field] ?? null, is[field]];
    if (was === undefined ? unset(to) || to === '' : JSON.stringify(from) === JSON.stringify(to)) {
      return [];
    }
    return [{ field, before: from, after: to }];
  });
}

// The fields a declaration always sets, for both `clients create` and `clients update`.
function requiredInput(declared: DeclaredClient) {
  return {
    name: declared.name,
    grants: declared.grants,
    redirectUris: declared.redirectUris,
    webOrigins: declared.webOrigins,
    dpopBoundAccessTokens: declared.dpopBoundAccessTokens,
    requirePushedAuthorizationRequests: declared.requirePushedAuthorizationRequests,
    requireMfa: declared.requireMfa,
    backchannelLogoutSessionRequired: declared.backchannelLogoutSessionRequired,
    scopes: declared.scopes,
    resources: declared.resources,
    mayExchangeFor: declared.mayExchangeFor,
    public: declared.public,
    firstParty: declared.firstParty,
  };
}

// What the file says of the client's credentials; for an update, what it leaves out is the
// default of `clients create` (a secret, no keys), not what the client had.
function credentialsInput(declared: DeclaredClient) {
  return {
    ...(declared.authMethod === undefined ? {} : { authMethod: declared.authMethod }),
    jwks: declared.jwks,
    jwksUri: declared.jwksUri,
  };
}

// Every field, so that what the file leaves out returns to `clients create`'s default.
function updateInput(declared: DeclaredClient): UpdateClientInput {
  return {
    ...requiredInput(declared),
    backchannelLogoutUri: declared.backchannelLogoutUri,
    ...credentialsInput(declared),
    ...(declared.authMethod === undefined && !declared.public
      ? { authMethod: 'client_secret_basic' }
      : {}),
    homepage: declared.homepage,
    logoUri: declared.logoUri,
    accessTokenTtl: declared.accessTokenTtl,
    refreshTokenTtl: declared.refreshTokenTtl,
  };
}

function createInput(declared: DeclaredClient): CreateClientInput {
  return {
    ...requiredInput(declared),
    ...(declared.backchannelLogoutUri === null
      ? {}
      : { backchannelLogoutUri: declared.backchannelLogoutUri }),
    ...credentialsInput(declared),
    ...(declared.homepage === null ? {} : { homepage: declared.homepage }),
    ...(declared.logoUri === null ? {} : { logoUri: declared.logoUri }),
    ...(declared.accessTokenTtl === null ? {} : { accessTokenTtl: declared.accessTokenTtl }),
    ...(declared.refreshTokenTtl === null ? {} : { refreshTokenTtl: declared.refreshTokenTtl }),
  };
}
