// Validates rendered objects against the Kubernetes OpenAPI schemas, as compiled into the
// `kubernetes-models` classes (and the Prometheus Operator's CRD schemas for ServiceMonitor).
import * as prometheusOperator from '@kubernetes-models/prometheus-operator';
import * as kubernetes from 'kubernetes-models';
import { describe, type K8sObject } from './objects.ts';

interface ModelClass {
  new (data: object): { validate(): void };
  apiVersion: string;
  kind: string;
}

// API versions a current cluster (1.30 and later) serves as stable. kubernetes-models also has
// the removed betas (extensions/v1beta1 Ingress, policy/v1beta1 PodDisruptionBudget...), which
// a manifest must not use.
const SERVED = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'policy/v1',
  'autoscaling/v2',
  'networking.k8s.io/v1',
  'monitoring.coreos.com/v1',
]);

const MODELS = collectModels([kubernetes, prometheusOperator]);

// Every class that knows its apiVersion and kind, from the packages' nested namespaces
// (apps.v1.Deployment, monitoringCoreosCom.v1.ServiceMonitor, ...).
function collectModels(roots: object[]): Map<string, ModelClass> {
  const models = new Map<string, ModelClass>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value === 'function') {
      const model = value as Partial<ModelClass>;
      if (typeof model.apiVersion === 'string' && typeof model.kind === 'string') {
        models.set(`${model.apiVersion} ${model.kind}`, value as ModelClass);
      }
    } else if (value && typeof value === 'object' && depth < 3) {
      for (const child of Object.values(value)) visit(child, depth + 1);
    }
  };
  for (const root of roots) visit(root, 0);
  return models;
}

/** Schema problems of each object, one line each; none when all are valid. */
export function schemaProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const name = describe(object);
    const Model = MODELS.get(`${object.apiVersion} ${object.kind}`);
    if (!Model) {
      problems.push(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    if (!SERVED.has(object.apiVersion ?? '')) {
      problems.push(`${name}: ${object.apiVersion} is not a served stable API version`);
    }
    try {
      new Model(object).validate();
    } catch (error) {
      const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
      if (!details) throw error;
      for (const detail of details) {
        problems.push(`${name}: schema: ${detail.instancePath || '/'} ${detail.message}`);
      }
    }
  }
  return problems;
}
