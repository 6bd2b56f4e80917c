import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Running, track } from '../src/index.ts';

// Helpers of replicas.slow.test.ts (the others it uses are in ../src): nginx in front of them with the
// configuration from infra/nginx, and a browser whose every request can be
// sent to a chosen replica.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const template = path.join(root, 'infra/nginx/portcullis.conf.template');

/** The nginx binary: on PATH, or where Debian puts it. */
async function nginxBinary(): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'nginx');
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error('nginx is not installed: `apt-get install nginx` (.ci/run does)');
}

/**
 * infra/nginx/portcullis.conf.template with its placeholders filled in, as envsubst would.
 *
 * @example
 * renderNginxConfig(text, { NGINX_LISTEN: '127.0.0.1:8080', ... });
 */
export function renderNginxConfig(text: string, values: Record<string, string>): string {
  const rendered = text.replace(/\$\{(NGINX_[A-Z_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in the nginx template`);
    return value;
  });
  return rendered;
}

/** nginx in the foreground in front of `upstreams`, listening on 127.0.0.1:`port`. */
export interface Nginx extends Running {
  url: string;
  /** The lines of its access log so far. */
  accessLog(): Promise<string[]>;
}

/**
 * Starts nginx as a child process with the configuration from infra/nginx: its own folder for
 * the pid file, log and temporary files; resolves once it accepts connections.
 */
export async function startNginx(port: number, upstreams: string[]): Promise<Nginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-nginx-'));
  // As root, nginx's workers run as `nobody`, which must be able to enter the folder.
  await chmod(dir, 0o711);
  const config = path.join(dir, 'nginx.conf');
  await writeFile(
    config,
    renderNginxConfig(await readFile(template, 'utf8'), {
      NGINX_LISTEN: `127.0.0.1:${port}`,
      NGINX_UPSTREAMS: upstreams.map((upstream) => `server ${new URL(upstream).host};`).join(' '),
      NGINX_RUNTIME_DIR: dir,
    }),
  );
  const child = spawn(await nginxBinary(), ['-p', dir, '-c', config, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const running = track(child);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`nginx exited with ${code}: ${running.stderr()}`)),
    ),
  );
  exited.catch(() => {});
  for (let accepted = false; !accepted; ) {
    accepted = await Promise.race([accepts(port), exited]);
    if (!accepted) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    ...running,
    url: `http://127.0.0.1:${port}`,
    async accessLog() {
      const text = await readFile(path.join(dir, 'access.log'), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean);
    },
    async stop() {
      const code = await running.stop();
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A scripted browser whose every request goes to the replica chosen for it, while URLs name the
 * issuer (nginx). Its cookies, like a real browser's, belong to the host and not the port, so
 * every replica and nginx on 127.0.0.1 see the same ones. It never follows redirects by itself.
 */
export class PinnedBrowser {
  readonly #cookies = new Map<string, string>();
  /** Which replica answered each request, as `index METHOD path`. */
  readonly visits: string[] = [];

  /** Sends a request for `url` to `replica` (an origin), with a form body when given. */
  async request(
    url: string,
    replica: { index: number; url: string },
    form?: Record<string, string>,
  ): Promise<Response> {
    const target = new URL(url);
    const pinned = new URL(`${target.pathname}${target.search}`, replica.url);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const method = form ? 'POST' : 'GET';
    this.visits.push(`${replica.index} ${method} ${target.pathname}`);
    const response = await fetch(pinned, {
      method,
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }
}
