export * from './apply-declaration.ts';
export type { IdentityProviderOutcome } from './apply-identity-providers.ts';
export * from './apply-result-json.ts';
export * from './declaration.ts';
export { locateProblem } from './locate-problem.ts';
