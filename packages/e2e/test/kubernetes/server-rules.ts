// Rules for the Portcullis containers themselves (image `portcullis`): what `serve` needs to
// start and to be probed, scraped and stopped the way docs/operators.md describes, and what the
// migration Job and the schema wait need.

import { parseDuration } from '@portcullis/auth-server';
import type { IContainer, IProbe } from 'kubernetes-models/v1';
import {
  containersOf,
  describe,
  field,
  finder,
  imageName,
  type K8sObject,
  type PodTemplate,
  podTemplates,
  selects,
} from './objects.ts';

interface IngressRule {
  ports?: { port?: number | string }[];
  from?: Record<string, unknown>[];
}

const SECRETS = ['DATABASE_URL', 'PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY'];

/** Problems of the Portcullis containers, one line each. */
export function serverProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const where = describe(template.owner);
    for (const container of containersOf(template.spec)) {
      if (imageName(container.image) !== 'portcullis') continue;
      const command = (container.args ?? []).join(' ');
      const found =
        command === 'serve'
          ? serveProblems(objects, template, container)
          : command === 'db migrate' || command === 'db status'
            ? fromSecret(container, ['DATABASE_URL'])
            : [];
      problems.push(...found.map((problem) => `${where}: container ${container.name}: ${problem}`));
    }
  }
  return problems;
}

function serveProblems(
  objects: readonly K8sObject[],
  template: PodTemplate,
  container: IContainer,
): string[] {
  const env = environment(objects, template, container);
  const problems = fromSecret(container, SECRETS);
  const port = Number(env.PORTCULLIS_PORT ?? 3000);
  const portNamed = (name: string) =>
    container.ports?.find((candidate) => candidate.name === name)?.containerPort;
  if (portNamed('http') !== port) {
    problems.push(`needs a container port named http, ${port} (PORTCULLIS_PORT)`);
  }
  const probes: [string, IProbe | undefined, string][] = [
    ['readinessProbe', container.readinessProbe, '/readyz'],
    ['livenessProbe', container.livenessProbe, '/healthz'],
    ['startupProbe', container.startupProbe, '/healthz'],
  ];
  for (const [name, probe, path] of probes) {
    const get = probe?.httpGet;
    const probed = typeof get?.port === 'string' ? portNamed(get.port) : get?.port;
    if (get?.path !== path || probed !== port) {
      problems.push(`${name} must GET ${path} on the http port (${port})`);
    }
  }
  const metrics = env.PORTCULLIS_METRICS_PORT;
  if (metrics === undefined || metrics === 'off' || portNamed('metrics') !== Number(metrics)) {
    problems.push('needs PORTCULLIS_METRICS_PORT and a container port named metrics on it');
  }
  if (['127.0.0.1', '::1', 'localhost', undefined].includes(env.PORTCULLIS_METRICS_HOST)) {
    problems.push('PORTCULLIS_METRICS_HOST must be the pod address (0.0.0.0), or nothing scrapes');
  }
  // Kubernetes counts the preStop hook within the grace period; the server then needs its own
  // grace for requests in flight, and a few seconds to close the database pool.
  const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const grace = parseDuration(env.PORTCULLIS_SHUTDOWN_GRACE ?? '10s') ?? 10;
  const kill = template.spec.terminationGracePeriodSeconds ?? 30;
  if (kill < preStop + grace + 5) {
    problems.push(
      `terminationGracePeriodSeconds ${kill} is less than preStop ${preStop} s + PORTCULLIS_SHUTDOWN_GRACE ${grace} s + 5 s`,
    );
  }
  const waitsForSchema = (template.spec.initContainers ?? []).some(
    (init) => imageName(init.image) === 'portcullis' && (init.args ?? []).join(' ') === 'db status',
  );
  if (!waitsForSchema) problems.push('needs an init container running `db status`');
  if (env.PORTCULLIS_TRUST_PROXY === 'true') {
    problems.push(...proxyProblems(objects, template, port));
  }
  return problems;
}

// Variables that must come from the Secret.
function fromSecret(container: IContainer, names: readonly string[]): string[] {
  return names
    .filter(
      (name) =>
        !container.env?.some(
          (variable) => variable.name === name && variable.valueFrom?.secretKeyRef,
        ),
    )
    .map((name) => `needs ${name} from a Secret (secretKeyRef)`);
}

// The container's literal environment: its ConfigMaps (envFrom), then its own env values.
function environment(
  objects: readonly K8sObject[],
  template: PodTemplate,
  container: IContainer,
): Record<string, string | undefined> {
  const find = finder(objects);
  const env: Record<string, string | undefined> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const data = name
      ? (find('ConfigMap', template.owner.metadata?.namespace, name)?.data as Record<
          string,
          string
        >)
      : undefined;
    for (const [key, value] of Object.entries(data ?? {}))
      env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) env[variable.name] = variable.value;
  return env;
}

// With PORTCULLIS_TRUST_PROXY=true the server takes X-Forwarded-* from whoever connects, so a
// NetworkPolicy must let nothing but the proxy (a namespace: the ingress controller's) reach it.
function proxyProblems(
  objects: readonly K8sObject[],
  template: PodTemplate,
  port: number,
): string[] {
  const policies = objects.filter(
    (object) =>
      object.kind === 'NetworkPolicy' &&
      object.metadata?.namespace === template.owner.metadata?.namespace &&
      selects(field(object, 'spec', 'podSelector'), template.labels),
  );
  const problems: string[] = [];
  const isolated = policies.some((policy) =>
    ((policy.spec as { policyTypes?: string[] }).policyTypes ?? ['Ingress']).includes('Ingress'),
  );
  if (!isolated) return ['PORTCULLIS_TRUST_PROXY=true without a NetworkPolicy isolating the pods'];
  for (const policy of policies) {
    const rules = field(policy, 'spec', 'ingress') as IngressRule[] | undefined;
    for (const rule of rules ?? []) {
      const reachesHttp =
        !rule.ports ||
        rule.ports.some(
          (open) => open.port === undefined || open.port === 'http' || open.port === port,
        );
      if (!reachesHttp) continue;
      const peers = rule.from ?? [];
      if (
        peers.length === 0 ||
        peers.some((peer) => !peer.namespaceSelector || 'ipBlock' in peer)
      ) {
        problems.push(
          `PORTCULLIS_TRUST_PROXY=true, but ${describe(policy)} lets more than the proxy's namespace reach the http port`,
        );
      }
    }
  }
  return problems;
}
