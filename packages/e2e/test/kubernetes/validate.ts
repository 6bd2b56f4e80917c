// Everything a rendering is checked for: the Kubernetes schemas, then our own rules.
import type { Expectations } from './expectations.ts';
import { unknownFieldProblems } from './fields.ts';
import type { K8sObject } from './objects.ts';
import { podProblems } from './pod-rules.ts';
import { referenceProblems } from './reference-rules.ts';
import { schemaProblems } from './schema.ts';
import { serverProblems } from './server-rules.ts';

export { type Expectations, SERVER_SECRET } from './expectations.ts';
export type { K8sObject } from './objects.ts';
export { KUBERNETES_DIR, kubectlProblem, render, renderVariant } from './render.ts';

/** Every problem of a rendering, one line each; an empty list when it is valid. */
export function validateManifests(objects: readonly K8sObject[], expect: Expectations): string[] {
  if (objects.length === 0) return ['the rendering is empty'];
  return [
    ...schemaProblems(objects),
    ...unknownFieldProblems(objects),
    ...podProblems(objects, expect),
    ...serverProblems(objects),
    ...referenceProblems(objects, expect),
  ];
}
