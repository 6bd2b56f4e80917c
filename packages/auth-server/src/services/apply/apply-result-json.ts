import type { ApplyAction, ApplyDeclarationResult } from './apply-declaration.ts';

/**
 * A result of {@link applyDeclaration} as JSON: what `portcullis apply --json` prints and the
 * admin API's `/apply` answers (snake_case keys, every entry with its action and field changes,
 * counts by action under `summary`, the new secrets by client name). One shape for both, so that
 * the CLI prints the same report from either.
 *
 * @example
 * printJson(io, applyResultJson(result));
 */
export function applyResultJson(result: ApplyDeclarationResult) {
  const summary: Record<ApplyAction, number> = {
    create: 0,
    update: 0,
    delete: 0,
    unchanged: 0,
    not_in_file: 0,
  };
  const entries = [
    ...result.resources,
    ...result.clients,
    ...result.roles,
    ...result.identityProviders,
  ];
  for (const entry of entries) summary[entry.action] += 1;
  return {
    applied: result.applied,
    changed: summary.create + summary.update + summary.delete > 0,
    summary,
    resources: result.resources.map((r) => ({
      identifier: r.identifier,
      action: r.action,
      changes: r.changes,
      scopes_not_in_file: r.scopesNotInFile,
    })),
    clients: result.clients.map((c) => ({
      name: c.name,
      client_id: c.clientId,
      action: c.action,
      changes: c.changes,
      new_secret: c.newSecret,
    })),
    roles: result.roles.map((r) => ({ name: r.name, action: r.action, changes: r.changes })),
    identity_providers: result.identityProviders.map((p) => ({
      name: p.name,
      action: p.action,
      changes: p.changes,
    })),
    secrets: result.secrets,
  };
}

/** The JSON of a declaration's result (see {@link applyResultJson}). */
export type ApplyResultJson = ReturnType<typeof applyResultJson>;
