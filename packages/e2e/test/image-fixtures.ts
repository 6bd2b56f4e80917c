import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Finished, finished } from './packages-fixtures.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** What the image says about itself (`podman image inspect`), as the test runs it. */
export interface ImageConfig {
  name: string;
  user: string;
  entrypoint: string[];
  env: string[];
  labels: Record<string, string>;
  healthcheck: string[];
  size: number;
}

/**
 * A base for the Containerfile: PORTCULLIS_IMAGE_BASE when set, otherwise the local one that
 * scripts/local-node-base.sh makes from Debian's packages (there is no image registry here).
 */
export async function imageBase(): Promise<string> {
  if (process.env.PORTCULLIS_IMAGE_BASE) return process.env.PORTCULLIS_IMAGE_BASE;
  const { stdout } = await run(path.join(root, 'scripts/local-node-base.sh'), [], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Builds the repository's Containerfile on `base` with podman (chroot isolation: no OCI runtime
 * is needed). The CA bundle this machine reaches the npm registry through goes in as a read-only
 * volume named by NODE_EXTRA_CA_CERTS, as docs/deploy.md shows for a TLS-intercepting proxy.
 */
export async function buildImage(base: string, name: string): Promise<void> {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  const caArgs = ca
    ? [
        '-v',
        `${ca}:/etc/ssl/certs/build-ca.crt:ro`,
        '--build-arg',
        'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/build-ca.crt',
      ]
    : [];
  await run(
    'podman',
    // Docker's image format: OCI's has no HEALTHCHECK.
    [
      'build',
      '--isolation',
      'chroot',
      '--format',
      'docker',
      '--build-arg',
      `BASE=${base}`,
      ...caArgs,
      '-t',
      name,
      '.',
    ],
    { cwd: root, maxBuffer: 256 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`podman build failed: ${`${error.stdout}\n${error.stderr}`.slice(-3000)}`);
  });
}

/** The configuration of image `name`. */
export async function inspectImage(name: string): Promise<ImageConfig> {
  const { stdout } = await run('podman', ['image', 'inspect', name]);
  const [image] = JSON.parse(stdout) as {
    Size: number;
    /** podman puts a Docker-format image's HEALTHCHECK here, not in Config. */
    Healthcheck?: { Test?: string[] };
    Config: {
      User?: string;
      Entrypoint?: string[];
      Env?: string[];
      Labels?: Record<string, string>;
      Healthcheck?: { Test?: string[] };
    };
  }[];
  if (!image) throw new Error(`no image ${name}`);
  return {
    name,
    user: image.Config.User ?? '',
    entrypoint: image.Config.Entrypoint ?? [],
    env: image.Config.Env ?? [],
    labels: image.Config.Labels ?? {},
    healthcheck: (image.Healthcheck ?? image.Config.Healthcheck)?.Test ?? [],
    size: image.Size,
  };
}

/** Mounts the image's file system (read-only to what runs from it) and returns its path. */
export async function mountImage(name: string): Promise<string> {
  const { stdout } = await run('podman', ['image', 'mount', name]);
  return stdout.trim();
}

/**
 * Unmounts and removes the test's image, and the build's leftovers of more than a day ago (the
 * build stage's layers stay a day, so that the next run reuses them).
 */
export async function removeImage(name: string): Promise<void> {
  await run('podman', ['image', 'unmount', name]).catch(() => {});
  await run('podman', ['rmi', '--force', name]).catch(() => {});
  await run('podman', ['image', 'prune', '--force', '--filter', 'until=24h']).catch(() => {});
}

/**
 * Runs `command` from the image's file system as a container engine would: `podman run` does not
 * work in this sandbox, so in a private mount namespace, with the image's root bound read-only,
 * /proc, /dev and a tmpfs /tmp mounted, then `chroot` as the image's user with only the image's
 * environment and `env`. The process keeps its pid through every exec, so signals reach it.
 */
export function runFromImage(
  image: ImageConfig,
  mount: string,
  command: string[],
  env: Record<string, string>,
): ChildProcess {
  const script = [
    'set -e',
    'mount --bind "$ROOTFS" "$ROOTFS"',
    'mount -o remount,bind,ro "$ROOTFS"',
    'mount -t proc proc "$ROOTFS/proc"',
    'mount --rbind /dev "$ROOTFS/dev"',
    'mount -t tmpfs -o size=16m tmpfs "$ROOTFS/tmp"',
    'exec chroot --userspec="$USERSPEC" "$ROOTFS" /usr/bin/env -i "$@"',
  ].join('\n');
  const environment = [...image.env, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
  return spawn('unshare', ['-m', 'sh', '-c', script, 'sh', ...environment, ...command], {
    env: { PATH: process.env.PATH, ROOTFS: mount, USERSPEC: image.user },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `command` (prefix the image's entrypoint to run a `portcullis` command) from the image to
 * the end; resolves with its exit code and output.
 */
export function commandInImage(
  image: ImageConfig,
  mount: string,
  command: string[],
  env: Record<string, string>,
): Promise<Finished> {
  return finished(runFromImage(image, mount, command, env));
}
