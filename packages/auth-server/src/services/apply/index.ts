export * from './apply-declaration.ts';
export * from './declaration.ts';
export { locateProblem } from './locate-problem.ts';
