// What the rules read from rendered objects, and where pods live inside each kind.
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';

/** One rendered object, as parsed from YAML. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** A workload's pod template, with the object it belongs to. */
export interface PodTemplate {
  owner: K8sObject;
  labels: Record<string, string>;
  spec: IPodSpec;
}

/** `Deployment/portcullis` (with its namespace when it has one): how problems name objects. */
export function describe(object: K8sObject): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind}/${namespace ? `${namespace}/` : ''}${object.metadata?.name}`;
}

/** Reads a nested field without trusting the shape of the document. */
export function field(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The pod templates of every workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const owner of objects) {
    const template =
      owner.kind === 'CronJob'
        ? field(owner, 'spec', 'jobTemplate', 'spec', 'template')
        : owner.kind === 'Pod'
          ? { metadata: owner.metadata, spec: owner.spec }
          : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(
                owner.kind ?? '',
              )
            ? field(owner, 'spec', 'template')
            : undefined;
    const spec = field(template, 'spec');
    if (spec && typeof spec === 'object') {
      const labels = (field(template, 'metadata', 'labels') ?? {}) as Record<string, string>;
      templates.push({ owner, labels, spec: spec as IPodSpec });
    }
  }
  return templates;
}

/** Init containers first, then the others. */
export function containersOf(spec: IPodSpec): IContainer[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** Whether `labels` satisfy a label selector (matchLabels and matchExpressions). */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const { matchLabels = {}, matchExpressions = [] } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const byLabel = Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
  const byExpression = matchExpressions.every(({ key, operator, values = [] }) => {
    if (operator === 'In') return values.includes(labels[key] ?? '');
    if (operator === 'NotIn') return !values.includes(labels[key] ?? '');
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    return false;
  });
  return byLabel && byExpression;
}

/** The image's name without registry, tag or digest: `portcullis` for every build of ours. */
export function imageName(image: string | undefined): string {
  const withoutDigest = (image ?? '').split('@')[0] ?? '';
  const last = withoutDigest.split('/').pop() ?? '';
  return last.split(':')[0] ?? '';
}

/** Finds a rendered object by kind, namespace and name. */
export function finder(objects: readonly K8sObject[]) {
  return (kind: string, namespace: string | undefined, name: string | undefined) =>
    objects.find(
      (object) =>
        object.kind === kind &&
        object.metadata?.namespace === namespace &&
        object.metadata?.name === name,
    );
}
