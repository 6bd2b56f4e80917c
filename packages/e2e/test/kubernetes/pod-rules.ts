// Rules for every container of every pod template: locked down (non-root, read-only root,
// no privilege escalation, no capabilities, default seccomp profile), sized, on a pinned image,
// with secrets only from Secrets that exist and only PORTCULLIS_ variables the server knows.
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import { carriesCredentials, type Expectations, isSecretName } from './expectations.ts';
import {
  containersOf,
  describe,
  finder,
  type K8sObject,
  type PodTemplate,
  podTemplates,
} from './objects.ts';

/** Problems of every pod template's containers, one line each. */
export function podProblems(objects: readonly K8sObject[], expect: Expectations): string[] {
  const problems: string[] = [];
  for (const template of podTemplates(objects)) {
    const where = describe(template.owner);
    problems.push(
      ...[...podSpecProblems(template), ...volumeProblems(objects, template, expect)].map(
        (problem) => `${where}: ${problem}`,
      ),
    );
    for (const container of containersOf(template.spec)) {
      const at = `${where}: container ${container.name}`;
      for (const problem of [
        ...securityProblems(template.spec, container),
        ...resourceProblems(container),
        ...imageProblems(container, expect),
        ...envProblems(objects, template, container, expect),
        ...mountProblems(template, container),
      ]) {
        problems.push(`${at}: ${problem}`);
      }
    }
  }
  return problems;
}

function podSpecProblems({ spec }: PodTemplate): string[] {
  const problems: string[] = [];
  if (spec.automountServiceAccountToken !== false) {
    problems.push('automountServiceAccountToken must be false (nothing here calls the API)');
  }
  // Docker-link variables (PORTCULLIS_PORT=tcp://..., <SERVICE>_SERVICE_HOST for a Service
  // named portcullis) would stop `serve`, which refuses PORTCULLIS_ variables it does not know.
  if (spec.enableServiceLinks !== false) {
    problems.push('enableServiceLinks must be false (service links inject PORTCULLIS_* variables)');
  }
  if (!spec.securityContext) problems.push('has no pod securityContext');
  return problems;
}

// Secret and ConfigMap volumes must name objects that exist.
function volumeProblems(
  objects: readonly K8sObject[],
  { owner, spec }: PodTemplate,
  expect: Expectations,
): string[] {
  const find = finder(objects);
  const namespace = owner.metadata?.namespace;
  const problems: string[] = [];
  for (const volume of spec.volumes ?? []) {
    const secret = volume.secret?.secretName;
    if (secret && !find('Secret', namespace, secret) && !expect.externalSecrets[secret]) {
      problems.push(`volume ${volume.name} references Secret ${secret}, which nothing provides`);
    }
    const configMap = volume.configMap?.name;
    if (configMap && !find('ConfigMap', namespace, configMap)) {
      problems.push(`volume ${volume.name} references ConfigMap ${configMap}, which is missing`);
    }
  }
  return problems;
}

function securityProblems(pod: IPodSpec, container: IContainer): string[] {
  const own = container.securityContext;
  if (!own) return ['has no securityContext'];
  const podContext = pod.securityContext ?? {};
  const problems: string[] = [];
  if ((own.runAsNonRoot ?? podContext.runAsNonRoot) !== true) {
    problems.push('runAsNonRoot must be true');
  }
  const uid = own.runAsUser ?? podContext.runAsUser;
  if (uid === undefined || uid === 0) problems.push('needs a fixed non-root runAsUser');
  if (own.allowPrivilegeEscalation !== false) {
    problems.push('allowPrivilegeEscalation must be false');
  }
  if (own.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem must be true');
  if (own.privileged === true) problems.push('must not be privileged');
  if (!own.capabilities?.drop?.includes('ALL')) problems.push('must drop ALL capabilities');
  if ((own.capabilities?.add ?? []).length > 0) problems.push('must not add capabilities');
  const seccomp = own.seccompProfile?.type ?? podContext.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    problems.push('needs seccompProfile RuntimeDefault');
  }
  return problems;
}

function resourceProblems(container: IContainer): string[] {
  const { requests = {}, limits = {} } = container.resources ?? {};
  const problems: string[] = [];
  if (!requests.cpu || !requests.memory) problems.push('needs cpu and memory requests');
  if (!limits.memory) problems.push('needs a memory limit');
  return problems;
}

function imageProblems(container: IContainer, expect: Expectations): string[] {
  const image = container.image ?? '';
  if (!image) return ['has no image'];
  if (!expect.pinnedImages) return [];
  if (image.includes('@sha256:')) return [];
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  if (!tag) return [`image ${image} has no tag: set it with Kustomize images:`];
  if (tag === 'latest') return [`image ${image}: pin a version, not latest`];
  return [];
}

function envProblems(
  objects: readonly K8sObject[],
  template: PodTemplate,
  container: IContainer,
  expect: Expectations,
): string[] {
  const find = finder(objects);
  const namespace = template.owner.metadata?.namespace;
  const problems: string[] = [];
  const names: string[] = [];
  const secretRef = (name: string, key: string | undefined, what: string) => {
    const rendered = find('Secret', namespace, name);
    const keys = expect.externalSecrets[name];
    if (!rendered && !keys) {
      problems.push(`${what} references Secret ${name}, which nothing provides`);
    } else if (key !== undefined && keys && !keys.includes(key)) {
      problems.push(`${what} references key ${key} of Secret ${name}, which it does not have`);
    }
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = find('ConfigMap', namespace, source.configMapRef.name);
      if (!configMap) {
        problems.push(`envFrom references ConfigMap ${source.configMapRef.name}, which is missing`);
        continue;
      }
      const data = (configMap.data ?? {}) as Record<string, string>;
      names.push(...Object.keys(data).map((key) => `${source.prefix ?? ''}${key}`));
    }
    if (source.secretRef?.name) {
      secretRef(source.secretRef.name, undefined, 'envFrom');
      const keys = expect.externalSecrets[source.secretRef.name] ?? [];
      names.push(...keys.map((key) => `${source.prefix ?? ''}${key}`));
    }
  }
  for (const variable of container.env ?? []) {
    names.push(variable.name);
    const fromSecret = variable.valueFrom?.secretKeyRef;
    if (fromSecret?.name) secretRef(fromSecret.name, fromSecret.key, `env ${variable.name}`);
    const fromConfigMap = variable.valueFrom?.configMapKeyRef;
    if (fromConfigMap) {
      const data = find('ConfigMap', namespace, fromConfigMap.name)?.data as
        | Record<string, string>
        | undefined;
      if (!data || !(fromConfigMap.key in data)) {
        problems.push(`env ${variable.name} references a missing ConfigMap key`);
      }
    }
    if (isSecretName(variable.name) && !fromSecret) {
      problems.push(`env ${variable.name} holds a secret: it must come from a secretKeyRef`);
    }
    if (variable.value !== undefined && carriesCredentials(variable.value)) {
      problems.push(`env ${variable.name} has credentials in its value`);
    }
  }
  for (const name of names) {
    if (name.startsWith('PORTCULLIS_') && !expect.settings.includes(name)) {
      problems.push(`${name} is not a setting of the server (docs/configuration.md)`);
    }
  }
  return problems;
}

function mountProblems({ spec, owner }: PodTemplate, container: IContainer): string[] {
  const problems: string[] = [];
  const claims = (
    (owner.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] })
      ?.volumeClaimTemplates ?? []
  ).map((claim) => claim.metadata?.name);
  const volumes = new Set([...(spec.volumes ?? []).map((volume) => volume.name), ...claims]);
  for (const mount of container.volumeMounts ?? []) {
    if (!volumes.has(mount.name)) problems.push(`mounts volume ${mount.name}, which is missing`);
  }
  // A read-only root filesystem leaves nowhere to write temporary files but a volume.
  if (!(container.volumeMounts ?? []).some((mount) => mount.mountPath === '/tmp')) {
    problems.push('needs a writable /tmp volume (the root filesystem is read-only)');
  }
  return problems;
}
