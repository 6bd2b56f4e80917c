// Rules across objects: every name, selector and port that one object uses to reach another
// resolves within the rendering (or to a Secret created outside it), and no secret value is
// in it at all.
import { carriesCredentials, type Expectations, isSecretName } from './expectations.ts';
import {
  describe,
  field,
  finder,
  type K8sObject,
  type PodTemplate,
  podTemplates,
  selects,
} from './objects.ts';

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

/** Problems between objects, one line each. */
export function referenceProblems(objects: readonly K8sObject[], expect: Expectations): string[] {
  const problems: string[] = [];
  const find = finder(objects);
  const seen = new Set<string>();
  for (const object of objects) {
    const name = describe(object);
    if (seen.has(name)) problems.push(`${name}: defined twice`);
    seen.add(name);
    const namespace = object.metadata?.namespace;
    const pods = podTemplates(objects).filter((pod) => pod.owner.metadata?.namespace === namespace);
    const found = ((): string[] => {
      switch (object.kind) {
        case 'Secret':
          return secretProblems(object);
        case 'ConfigMap':
          return configMapProblems(object);
        case 'Service':
          return serviceProblems(object, pods);
        case 'Ingress':
          return ingressProblems(object, find, expect);
        case 'HorizontalPodAutoscaler':
          return autoscalerProblems(object, find);
        case 'PodDisruptionBudget':
          return selectorProblems(field(object, 'spec', 'selector'), pods);
        case 'NetworkPolicy':
          return selectorProblems(field(object, 'spec', 'podSelector'), pods);
        case 'ServiceMonitor':
          return monitorProblems(object, objects);
        case 'Deployment':
        case 'StatefulSet':
        case 'Job':
          return workloadProblems(object, find);
        default:
          return [];
      }
    })();
    problems.push(...found.map((problem) => `${name}: ${problem}`));
  }
  return problems;
}

// Secret values never live in the repository, so no rendering holds a Secret with data.
function secretProblems(secret: K8sObject): string[] {
  return secret.data || secret.stringData
    ? ['a Secret with values: secrets are created outside the repository (README)']
    : [];
}

function configMapProblems(configMap: K8sObject): string[] {
  const data = (configMap.data ?? {}) as Record<string, string>;
  return Object.entries(data).flatMap(([key, value]) => [
    ...(isSecretName(key) ? [`${key} looks like a secret: put it in the Secret`] : []),
    ...(carriesCredentials(String(value)) ? [`${key} has credentials in its value`] : []),
  ]);
}

function serviceProblems(service: K8sObject, pods: PodTemplate[]): string[] {
  const selector = field(service, 'spec', 'selector') as Record<string, string> | undefined;
  if (!selector) return ['has no selector'];
  const matched = pods.filter((pod) => selects({ matchLabels: selector }, pod.labels));
  if (matched.length === 0) return ['its selector matches no pod template'];
  const ports = (field(service, 'spec', 'ports') ?? []) as ServicePort[];
  return ports
    .filter(({ targetPort }) => !matched.some((pod) => podHasPort(pod, targetPort)))
    .map(({ name, targetPort }) => `port ${name}: no pod has a container port ${targetPort}`);
}

function podHasPort(pod: PodTemplate, port: number | string | undefined): boolean {
  return (pod.spec.containers ?? []).some((container) =>
    (container.ports ?? []).some((candidate) =>
      typeof port === 'string' ? candidate.name === port : candidate.containerPort === port,
    ),
  );
}

function selectorProblems(selector: unknown, pods: PodTemplate[]): string[] {
  return pods.some((pod) => selects(selector, pod.labels))
    ? []
    : ['its selector matches no pod template'];
}

type Find = ReturnType<typeof finder>;

function ingressProblems(ingress: K8sObject, find: Find, expect: Expectations): string[] {
  const problems: string[] = [];
  const namespace = ingress.metadata?.namespace;
  if (!field(ingress, 'spec', 'ingressClassName')) problems.push('needs an ingressClassName');
  const tls = (field(ingress, 'spec', 'tls') ?? []) as { hosts?: string[]; secretName?: string }[];
  if (tls.length === 0) problems.push('has no TLS');
  for (const { secretName } of tls) {
    if (
      !secretName ||
      (!find('Secret', namespace, secretName) && !expect.externalSecrets[secretName])
    ) {
      problems.push(`TLS Secret ${secretName} is provided by nothing`);
    }
  }
  const covered = new Set(tls.flatMap(({ hosts = [] }) => hosts));
  const rules = (field(ingress, 'spec', 'rules') ?? []) as Record<string, unknown>[];
  for (const rule of rules) {
    const host = rule.host as string | undefined;
    if (!host || !covered.has(host)) problems.push(`host ${host} is not covered by TLS`);
    const paths = (field(rule, 'http', 'paths') ?? []) as Record<string, unknown>[];
    for (const path of paths) {
      const backend = field(path, 'backend', 'service') as
        | { name: string; port: { name?: string; number?: number } }
        | undefined;
      const service = backend && find('Service', namespace, backend.name);
      const ports = (field(service, 'spec', 'ports') ?? []) as ServicePort[];
      const port = backend?.port;
      if (
        !ports.some((candidate) => candidate.name === port?.name || candidate.port === port?.number)
      ) {
        problems.push(
          `backend ${backend?.name}:${port?.name ?? port?.number} is not a Service port`,
        );
      }
    }
  }
  return problems;
}

function autoscalerProblems(autoscaler: K8sObject, find: Find): string[] {
  const target = field(autoscaler, 'spec', 'scaleTargetRef') as { kind: string; name: string };
  const workload = find(target.kind, autoscaler.metadata?.namespace, target.name);
  if (!workload) return [`scales ${target.kind}/${target.name}, which is missing`];
  const problems: string[] = [];
  const min = Number(field(autoscaler, 'spec', 'minReplicas') ?? 1);
  const max = Number(field(autoscaler, 'spec', 'maxReplicas'));
  if (!(min <= max)) problems.push(`minReplicas ${min} is above maxReplicas ${max}`);
  // Utilization is a share of the request: without a CPU request there is nothing to scale on.
  const containers = (field(workload, 'spec', 'template', 'spec', 'containers') ?? []) as {
    resources?: { requests?: { cpu?: string } };
  }[];
  if (containers.some((container) => !container.resources?.requests?.cpu)) {
    problems.push('scales on CPU utilization, but a container has no CPU request');
  }
  return problems;
}

function monitorProblems(monitor: K8sObject, objects: readonly K8sObject[]): string[] {
  const services = objects.filter(
    (object) =>
      object.kind === 'Service' &&
      object.metadata?.namespace === monitor.metadata?.namespace &&
      selects(field(monitor, 'spec', 'selector'), object.metadata?.labels ?? {}),
  );
  if (services.length === 0) return ['its selector matches no Service'];
  const endpoints = (field(monitor, 'spec', 'endpoints') ?? []) as { port?: string }[];
  return endpoints
    .filter(
      ({ port }) =>
        !services.some((service) =>
          ((field(service, 'spec', 'ports') ?? []) as ServicePort[]).some((p) => p.name === port),
        ),
    )
    .map(({ port }) => `endpoint port ${port} is no port of the Services it selects`);
}

function workloadProblems(workload: K8sObject, find: Find): string[] {
  const problems: string[] = [];
  const namespace = workload.metadata?.namespace;
  const labels = (field(workload, 'spec', 'template', 'metadata', 'labels') ?? {}) as Record<
    string,
    string
  >;
  // A Job's selector is generated.
  if (workload.kind !== 'Job' && !selects(field(workload, 'spec', 'selector'), labels)) {
    problems.push('its selector does not match its own pod template');
  }
  const account = field(workload, 'spec', 'template', 'spec', 'serviceAccountName') as
    | string
    | undefined;
  if (account && !find('ServiceAccount', namespace, account)) {
    problems.push(`runs as ServiceAccount ${account}, which is missing`);
  }
  const serviceName = field(workload, 'spec', 'serviceName') as string | undefined;
  if (workload.kind === 'StatefulSet' && serviceName && !find('Service', namespace, serviceName)) {
    problems.push(`its serviceName ${serviceName} is no Service`);
  }
  return problems;
}
