import type { Verdict } from './rule.ts';

// Shared, frozen verdicts: rules run on every request, so the common answers are not rebuilt.

/** The request may go on; `scopes` are the scopes the rule relied on. */
export function allowed(scopes: readonly string[] = []): Verdict {
  return Object.freeze({ allowed: true, scopes });
}

/** No token was presented and the rule needs one. */
export const unauthenticated: Verdict = Object.freeze({
  allowed: false,
  refusal: 'unauthenticated',
});

/** The token lacks scopes; `scopes` would satisfy the rule. */
export function insufficientScope(scopes: readonly string[]): Verdict {
  return Object.freeze({ allowed: false, refusal: 'insufficient_scope', scopes });
}

/** No scope would help; `description` is a fixed sentence. */
export function forbidden(description: string): Verdict {
  return Object.freeze({ allowed: false, refusal: 'forbidden', description });
}
