// Renders the Kustomize trees in infra/kubernetes with `kubectl kustomize`, the way operators
// do, and parses the output into objects.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './objects.ts';

const run = promisify(execFile);

/** infra/kubernetes in this checkout. */
export const KUBERNETES_DIR = path.resolve(import.meta.dirname, '../../../../infra/kubernetes');

// `replicas`, `components` and inline patches in kustomization.yaml need the Kustomize 4 that
// kubectl embeds since 1.21. Debian 12's own kubectl (package kubernetes-client) is 1.20, with
// Kustomize 2; the `kubectl` package comes from the Kubernetes (or Google Cloud) apt repository.
const MIN_KUSTOMIZE_MAJOR = 4;
const INSTALL =
  "install kubectl 1.21 or newer: apt-get install -y kubectl (Debian 12's kubernetes-client is 1.20, too old)";

/**
 * Why `kubectl kustomize` cannot be used here, in one line naming what to install, or
 * undefined when it can.
 */
export async function kubectlProblem(): Promise<string | undefined> {
  let output: string;
  try {
    output = (await run('kubectl', ['version', '--client'], { timeout: 30_000 })).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return `kubectl not found on PATH, needed to render infra/kubernetes: ${INSTALL}`;
    }
    return `kubectl version --client failed: ${(error as Error).message.split('\n')[0]}`;
  }
  const kustomize = /Kustomize Version: v?(\d+)\./.exec(output);
  if (!kustomize || Number(kustomize[1]) < MIN_KUSTOMIZE_MAJOR) {
    const version =
      /GitVersion:"([^"]+)"/.exec(output)?.[1] ?? /Client Version: (\S+)/.exec(output)?.[1];
    return `kubectl ${version} is too old to render infra/kubernetes (no Kustomize ${MIN_KUSTOMIZE_MAJOR}): ${INSTALL}`;
  }
  return undefined;
}

/** `kubectl kustomize DIR`, parsed; fails with kubectl's own message on a bad kustomization. */
export async function render(dir: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('kubectl', ['kustomize', dir], {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr || (error as Error).message}`);
  }
  const objects: K8sObject[] = [];
  for (const document of parseAllDocuments(stdout)) {
    if (document.errors.length > 0) throw document.errors[0];
    const value: unknown = document.toJS();
    if (value !== null) objects.push(value as K8sObject);
  }
  return objects;
}

/** A kustomization of our own, written to a temporary folder, over the repository's trees. */
export interface Variant {
  /** Folders under infra/kubernetes, such as `overlays/production`. */
  resources: string[];
  components?: string[];
  namespace?: string;
  /** Inline patches, as Kustomize's `patches:` entries. */
  patches?: { target: Record<string, string>; patch: string }[];
  /** Any other fields of kustomization.yaml (configMapGenerator, secretGenerator, ...). */
  extra?: Record<string, unknown>;
}

/** Renders a {@link Variant}: how the tests build broken manifests from the real ones. */
export async function renderVariant(variant: Variant): Promise<K8sObject[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-kustomize-'));
  try {
    // Kustomize takes other kustomizations by relative path only.
    const from = (folder: string) => path.relative(dir, path.join(KUBERNETES_DIR, folder));
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      ...(variant.namespace ? { namespace: variant.namespace } : {}),
      resources: variant.resources.map(from),
      ...(variant.components ? { components: variant.components.map(from) } : {}),
      ...(variant.patches ? { patches: variant.patches } : {}),
      ...variant.extra,
    };
    // JSON is YAML.
    await writeFile(path.join(dir, 'kustomization.yaml'), JSON.stringify(kustomization, null, 2));
    return await render(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
