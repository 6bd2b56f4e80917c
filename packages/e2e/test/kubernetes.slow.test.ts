import { SETTINGS } from '@portcullis/auth-server';
import test, { type ExecutionContext } from 'ava';
import {
  type Expectations,
  type K8sObject,
  KUBERNETES_DIR,
  kubectlProblem,
  render,
  renderVariant,
  SERVER_SECRET,
  validateManifests,
} from './kubernetes/validate.ts';

// infra/kubernetes rendered with `kubectl kustomize` (base, both overlays, and production with
// the optional ServiceMonitor component), every object validated against the Kubernetes
// OpenAPI schemas (kubernetes-models) and against our own rules (kubernetes/*-rules.ts); then
// broken variants of the real manifests, built as temporary kustomizations over them, must fail
// that same validation. No cluster is needed. In the slow suite because it needs kubectl.

// The server's settings: what `serve` accepts as PORTCULLIS_ variables.
const settings = SETTINGS.map((setting) => setting.env);
const TLS = { 'portcullis-tls': ['tls.crt', 'tls.key'] };
const production: Expectations = {
  externalSecrets: { ...SERVER_SECRET, ...TLS },
  settings,
  pinnedImages: true,
};
const dev: Expectations = {
  // The dev Secret also holds the in-cluster PostgreSQL's password (README).
  externalSecrets: {
    'portcullis-secrets': [...SERVER_SECRET['portcullis-secrets'], 'POSTGRES_PASSWORD'],
  },
  settings,
  pinnedImages: true,
};
const base: Expectations = { ...production, pinnedImages: false };

const unusable = await kubectlProblem();
if (unusable) {
  test('kubectl renders infra/kubernetes', (t) => {
    t.fail(unusable);
  });
} else {
  registerTests();
}

function registerTests(): void {
  test('base: valid, and the server as the README describes it', async (t) => {
    const objects = await render(`${KUBERNETES_DIR}/base`);
    t.deepEqual(validateManifests(objects, base), []);
    t.deepEqual(kinds(objects), [
      'ConfigMap/portcullis-config',
      'Deployment/portcullis',
      'HorizontalPodAutoscaler/portcullis',
      'Job/portcullis-migrate',
      'NetworkPolicy/portcullis',
      'PodDisruptionBudget/portcullis',
      'Service/portcullis',
      'ServiceAccount/portcullis',
    ]);
    const deployment = one(objects, 'Deployment');
    t.is(deployment.spec.replicas, 3);
    t.deepEqual(deployment.spec.template.spec.containers[0].args, ['serve']);
    t.is(deployment.spec.template.spec.containers[0].image, 'portcullis');
    t.is(deployment.spec.template.spec.securityContext.runAsUser, 10001);
    t.true(deployment.spec.template.spec.topologySpreadConstraints.length > 0);
    const job = one(objects, 'Job');
    t.deepEqual(job.spec.template.spec.containers[0].args, ['db', 'migrate']);
    t.true(job.spec.backoffLimit > 0 && job.spec.ttlSecondsAfterFinished > 0);
    const autoscaler = one(objects, 'HorizontalPodAutoscaler');
    t.is(autoscaler.apiVersion, 'autoscaling/v2');
    t.is(autoscaler.spec.metrics[0].resource.name, 'cpu');
    t.is(one(objects, 'ServiceAccount').automountServiceAccountToken, false);
  });

  test('dev overlay: valid; one replica, its own PostgreSQL, issuer on localhost', async (t) => {
    const objects = await render(`${KUBERNETES_DIR}/overlays/dev`);
    t.deepEqual(validateManifests(objects, dev), []);
    t.true(objects.every((object) => object.metadata?.namespace === 'portcullis-dev'));
    t.is(one(objects, 'Deployment').spec.replicas, 1);
    t.false(objects.some((object) => object.kind === 'HorizontalPodAutoscaler'));
    const postgres = one(objects, 'StatefulSet');
    t.is(one(objects, 'Deployment').spec.template.spec.containers[0].image, 'portcullis:local');
    t.regex(postgres.spec.template.spec.containers[0].image, /^postgres:\d+/);
    t.is(postgres.spec.volumeClaimTemplates.length, 1);
    t.is(config(objects).PORTCULLIS_ISSUER, 'http://localhost:3000');
    t.is(config(objects).PORTCULLIS_TRUST_PROXY, 'false');
  });

  test('production overlay: valid; TLS ingress, trusted proxy, autoscaled', async (t) => {
    const objects = await render(`${KUBERNETES_DIR}/overlays/production`);
    t.deepEqual(validateManifests(objects, production), []);
    t.true(objects.every((object) => object.metadata?.namespace === 'portcullis'));
    t.is(config(objects).PORTCULLIS_ISSUER, 'https://auth.example.com');
    t.is(config(objects).PORTCULLIS_TRUST_PROXY, 'true');
    const ingress = one(objects, 'Ingress');
    t.deepEqual(ingress.spec.tls, [{ hosts: ['auth.example.com'], secretName: 'portcullis-tls' }]);
    t.truthy(ingress.spec.ingressClassName);
    // The autoscaler owns the count: no replicas in the Deployment for `apply` to reset.
    t.false('replicas' in one(objects, 'Deployment').spec);
    const autoscaler = one(objects, 'HorizontalPodAutoscaler');
    t.deepEqual([autoscaler.spec.minReplicas, autoscaler.spec.maxReplicas], [3, 8]);
    t.regex(one(objects, 'Deployment').spec.template.spec.containers[0].image, /\/portcullis:.+/);
  });

  test('production with the ServiceMonitor component: valid', async (t) => {
    const objects = await renderVariant({
      resources: ['overlays/production'],
      components: ['components/servicemonitor'],
      namespace: 'portcullis',
    });
    t.deepEqual(validateManifests(objects, production), []);
    t.is(one(objects, 'ServiceMonitor').spec.endpoints[0].port, 'metrics');
  });

  test('without its Secret, the production overlay fails validation', async (t) => {
    const objects = await render(`${KUBERNETES_DIR}/overlays/production`);
    const problems = validateManifests(objects, { ...production, externalSecrets: TLS });
    t.true(
      problems.some((problem) =>
        /Deployment\/portcullis\/portcullis: container server: env DATABASE_URL references Secret portcullis-secrets, which nothing provides/.test(
          problem,
        ),
      ),
      problems.join('\n'),
    );
  });

  // Each broken variant: a JSON patch (or generator) over the production overlay, and what the
  // validation must say about it.
  const broken: [string, Parameters<typeof renderVariant>[0], RegExp][] = [
    [
      'a Deployment referencing a Secret that nothing provides',
      deploymentPatch([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/env/1/valueFrom/secretKeyRef/name',
          value: 'portcullis-secret',
        },
      ]),
      /container server: env PORTCULLIS_COOKIE_KEYS references Secret portcullis-secret, which nothing provides/,
    ],
    [
      'a container without securityContext',
      deploymentPatch([{ op: 'remove', path: '/spec/template/spec/containers/0/securityContext' }]),
      /container server: has no securityContext/,
    ],
    [
      'a Deployment without its required selector',
      deploymentPatch([{ op: 'remove', path: '/spec/selector' }]),
      /Deployment\/portcullis\/portcullis: schema: \/spec must have required property selector/,
    ],
    [
      'a field of the wrong type',
      deploymentPatch([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/ports/0/containerPort',
          value: 'http',
        },
      ]),
      /schema: \/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer/,
    ],
    [
      'a misspelt field, which kubectl apply would refuse',
      deploymentPatch([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesytem',
          value: true,
        },
      ]),
      /Deployment\/portcullis\/portcullis: unknown field: .*'"readOnlyRootFilesytem"' does not exist in type 'ISecurityContext'/,
    ],
    [
      'a secret written into the manifest',
      deploymentPatch([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/env/1',
          value: { name: 'PORTCULLIS_COOKIE_KEYS', value: 'x'.repeat(43) },
        },
      ]),
      /env PORTCULLIS_COOKIE_KEYS holds a secret: it must come from a secretKeyRef/,
    ],
    [
      'a Secret with values generated into the rendering',
      {
        resources: ['overlays/production'],
        extra: {
          secretGenerator: [
            {
              name: 'leaked',
              namespace: 'portcullis',
              literals: ['DATABASE_URL=postgres://u:p@db/x'],
            },
          ],
        },
      },
      /Secret\/portcullis\/leaked-[a-z0-9]+: a Secret with values/,
    ],
    [
      'a PORTCULLIS_ variable the server does not know',
      deploymentPatch([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/env/-',
          value: { name: 'PORTCULLIS_TRUSTPROXY', value: 'true' },
        },
      ]),
      /PORTCULLIS_TRUSTPROXY is not a setting of the server/,
    ],
    [
      'a readiness probe on the liveness path',
      deploymentPatch([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/readinessProbe/httpGet/path',
          value: '/healthz',
        },
      ]),
      /readinessProbe must GET \/readyz on the http port/,
    ],
    [
      'service links left on',
      deploymentPatch([{ op: 'remove', path: '/spec/template/spec/enableServiceLinks' }]),
      /enableServiceLinks must be false/,
    ],
    [
      'a kill timeout shorter than the graceful shutdown',
      deploymentPatch([
        { op: 'replace', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 10 },
      ]),
      /terminationGracePeriodSeconds 10 is less than preStop 5 s \+ PORTCULLIS_SHUTDOWN_GRACE 10 s/,
    ],
    [
      'a root container',
      deploymentPatch([
        { op: 'replace', path: '/spec/template/spec/securityContext/runAsUser', value: 0 },
        { op: 'remove', path: '/spec/template/spec/containers/0/securityContext/runAsNonRoot' },
        { op: 'remove', path: '/spec/template/spec/securityContext/runAsNonRoot' },
      ]),
      /container server: runAsNonRoot must be true/,
    ],
    [
      'an untagged image',
      {
        resources: ['overlays/production'],
        extra: { images: [{ name: 'registry.example.com/portcullis', newTag: '' }] },
        patches: [
          {
            target: { kind: 'Job' },
            patch: JSON.stringify([
              {
                op: 'replace',
                path: '/spec/template/spec/containers/0/image',
                value: 'registry.example.com/portcullis',
              },
            ]),
          },
        ],
      },
      /Job\/portcullis\/portcullis-migrate: container migrate: image registry.example.com\/portcullis has no tag/,
    ],
    [
      'a trusted proxy reachable from the whole namespace',
      {
        resources: ['base'],
        namespace: 'portcullis',
        extra: {
          configMapGenerator: [
            {
              name: 'portcullis-config',
              behavior: 'merge',
              literals: ['PORTCULLIS_TRUST_PROXY=true'],
            },
          ],
        },
      },
      /PORTCULLIS_TRUST_PROXY=true, but NetworkPolicy\/portcullis\/portcullis lets more than the proxy's namespace reach the http port/,
    ],
  ];
  for (const [title, variant, expected] of broken) {
    test(`fails validation: ${title}`, async (t) => {
      const objects = await renderVariant(variant);
      const problems = validateManifests(
        objects,
        variant.resources[0] === 'base' ? base : production,
      );
      assertProblem(t, problems, expected);
    });
  }
}

function assertProblem(t: ExecutionContext, problems: string[], expected: RegExp): void {
  t.true(
    problems.some((problem) => expected.test(problem)),
    `expected a problem matching ${expected}, got:\n${problems.join('\n') || '(none)'}`,
  );
}

function deploymentPatch(operations: object[]): Parameters<typeof renderVariant>[0] {
  return {
    resources: ['overlays/production'],
    patches: [
      { target: { kind: 'Deployment', name: 'portcullis' }, patch: JSON.stringify(operations) },
    ],
  };
}

// "Kind/name" of each object, sorted, with generated name suffixes left out.
function kinds(objects: readonly K8sObject[]): string[] {
  return objects
    .map((object) => `${object.kind}/${object.metadata?.name?.replace(/-[a-z0-9]{10}$/, '')}`)
    .sort();
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep into documents they just validated.
type Loose = any;

function one(objects: readonly K8sObject[], kind: string): Loose {
  const found = objects.filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

function config(objects: readonly K8sObject[]): Record<string, string> {
  return one(objects, 'ConfigMap').data;
}
