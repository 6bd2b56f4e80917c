import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, ACR_VALUES, type MfaPolicy } from '../domain/mfa.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';

/** Whether a sign-in must pass a second factor; see {@link createMfaRequirement}. */
export interface MfaRequirement {
  /**
   * True when the user has a second factor, the policy is `required`, the client was registered
   * with `--require-mfa`, or the request's `acr_values` ask for {@link ACR_MFA} alone; always
   * false when the policy is `off`.
   */
  needed(sign: { accountId: string; clientId?: string; acrValues?: unknown }): Promise<boolean>;
  /** The server's policy (`PORTCULLIS_MFA`). */
  policy: MfaPolicy;
}

/**
 * When a second factor is needed: one rule for the provider's login prompt (a session without
 * the mfa `acr` is sent back to the login step) and for the login page (which then asks for a
 * code, or has the user set up an app first).
 *
 * @example
 * const requirement = createMfaRequirement({ policy: 'optional', clients, hasFactor });
 * await requirement.needed({ accountId, clientId }); // true when the user has an app set up
 */
export function createMfaRequirement(deps: {
  policy: MfaPolicy;
  clients: ClientRegistry;
  hasFactor(accountId: string): Promise<boolean>;
}): MfaRequirement {
  return {
    policy: deps.policy,
    async needed({ accountId, clientId, acrValues }) {
      if (deps.policy === 'off') return false;
      if (deps.policy === 'required' || asksForMfa(acrValues)) return true;
      if (clientId && (await deps.clients.get(clientId))?.record.requireMfa) return true;
      return deps.hasFactor(accountId);
    },
  };
}

// `acr_values` (space-separated, in order of preference) naming only the mfa value; a request
// that accepts the password value too is satisfied by either.
function asksForMfa(acrValues: unknown): boolean {
  if (typeof acrValues !== 'string') return false;
  const values = acrValues.split(' ').filter((v) => (ACR_VALUES as readonly string[]).includes(v));
  return values.length > 0 && values.every((v) => v === ACR_MFA);
}

/** The reason the login prompt gives when only the second factor is missing (a step-up). */
export const MFA_REASON = 'mfa_required';

/**
 * oidc-provider's interaction policy with one more check on the login prompt: a session whose
 * `acr` is not the mfa value, when {@link MfaRequirement.needed}, is sent to the login step,
 * whose page then asks for the second factor only (the password was given in this session).
 * max_age and the other checks are oidc-provider's own.
 */
export function mfaInteractionPolicy(requirement: MfaRequirement) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.add(
    new interactionPolicy.Check(
      MFA_REASON,
      'a second factor is required',
      async (ctx: KoaContextWithOIDC) => {
        const { oidc } = ctx;
        const accountId = oidc.session?.accountId;
        if (!accountId || oidc.session?.acr === ACR_MFA)
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        const needed = await requirement.needed({
          accountId,
          clientId: oidc.client?.clientId,
          acrValues: oidc.params?.acr_values,
        });
        return needed
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
  return policy;
}
