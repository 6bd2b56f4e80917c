import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServerConfig, SETTINGS, type Setting } from '@portcullis/auth-server';
import test, { type ExecutionContext } from 'ava';
import { renderNginxConfig } from './replicas-fixtures.ts';

// infra/compose/compose.yaml, checked by a real Compose implementation without an engine:
// Debian's docker-compose (Compose v1) renders it with `config`, which interpolates .env,
// resolves the YAML anchors and validates the file against the Compose schema. The test reads
// what it rendered: the services and the order they start in, the servers' environment (which
// serve's own configuration must accept), where the secrets come from, and the nginx
// configuration the nginx service renders from infra/nginx (checked with `nginx -t`).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const composeDir = path.join(root, 'infra/compose');
const composeFile = path.join(composeDir, 'compose.yaml');
const INSTALL = 'apt-get install -y docker-compose';

// `yaml` is a dependency of @portcullis/cli (which this package depends on), loaded from there.
// TODO: import it directly once packages/e2e/package.json lists it; that file is being reworked
// for publishing now.
const yaml = createRequire(path.join(root, 'packages/cli/package.json'))('yaml') as {
  parse(text: string, options?: { merge?: boolean }): unknown;
};

/** A service as `config` renders it (the parts this test reads). */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  profiles?: string[];
  read_only?: boolean;
  restart?: string;
  tmpfs?: string[];
  user?: string;
  volumes?: string[];
  networks?: Record<string, unknown>;
}
interface Rendered {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

type SettingUse = NonNullable<Setting['usedBy']>[number];

const REPLICAS = ['auth-1', 'auth-2'];
const ONE_SHOT = ['migrate', 'cli'];

/** Runs a program; resolves with its exit code and output, never rejects on a non-zero exit. */
function runProgram(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = { PATH: process.env.PATH },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `name` on PATH, or in the folders Debian puts programs in; undefined when it is nowhere. */
async function findProgram(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

let compose: string;
let work: string;
let secretsEnv: string;
let rendered: Rendered;

test.before(async () => {
  const found = await findProgram('docker-compose');
  if (!found) throw new Error(`docker-compose is not installed: ${INSTALL}`);
  compose = found;
  work = await mkdtemp(path.join(tmpdir(), 'portcullis-compose-'));
  // The .env a user makes by following .env.example: the file, then the generated secrets.
  const generated = await runProgram(process.execPath, [
    path.join(root, 'packages/cli/src/bin.ts'),
    'secrets',
    'generate',
  ]);
  if (generated.code !== 0) throw new Error(`secrets generate failed: ${generated.stderr}`);
  secretsEnv = generated.stdout;
  const env = `${await readFile(path.join(composeDir, '.env.example'), 'utf8')}${secretsEnv}POSTGRES_PASSWORD=${randomBytes(24).toString('hex')}\n`;
  const result = await composeConfig(env);
  if (result.code !== 0) throw new Error(`docker-compose config failed: ${result.stderr}`);
  rendered = yaml.parse(result.stdout) as Rendered;
});
test.after.always(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `docker-compose config` of compose.yaml with `envText` as its .env, and only PATH set. */
async function composeConfig(envText: string, args: string[] = []) {
  const envFile = path.join(work, `${randomBytes(6).toString('hex')}.env`);
  await writeFile(envFile, envText);
  return runProgram(compose, ['--file', composeFile, '--env-file', envFile, 'config', ...args]);
}

/** The values of `.env` lines. */
function envValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function service(name: string): Service {
  const found = rendered.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

const environment = (name: string): Record<string, string> => service(name).environment ?? {};

test('every service is there: PostgreSQL, the migration, two servers, nginx, the example API, Prometheus', (t) => {
  t.deepEqual(Object.keys(rendered.services).sort(), [
    'auth-1',
    'auth-2',
    'cli',
    'example-api',
    'migrate',
    'nginx',
    'postgres',
    'prometheus',
  ]);
  const postgres = service('postgres');
  t.regex(postgres.image ?? '', /^postgres:17(\.|$)/);
  t.true(postgres.volumes?.some((v) => v.startsWith('postgres-data:/var/lib/postgresql/data')));
  t.truthy(rendered.volumes['postgres-data'], 'a named volume');
  t.deepEqual(postgres.healthcheck?.test.slice(0, 2), ['CMD', 'pg_isready']);
  t.regex(service('nginx').image ?? '', /^nginx:\d/);
  t.deepEqual(service('prometheus').profiles, ['monitoring'], 'Prometheus is optional');
  t.deepEqual(service('cli').profiles, ['cli'], 'the CLI runs only when asked for');
});

test('Portcullis services run the image built from the Containerfile, each its command', (t) => {
  const commands: Record<string, string[]> = {
    migrate: ['db', 'migrate'],
    'auth-1': ['serve'],
    'auth-2': ['serve'],
    'example-api': ['example-api'],
    cli: ['--help'],
  };
  for (const [name, command] of Object.entries(commands)) {
    const s = service(name);
    t.is(s.image, 'portcullis:local', name);
    t.deepEqual(s.build, { context: root, dockerfile: 'Containerfile' }, name);
    t.deepEqual(s.command, command, name);
  }
});

test('they start in order: PostgreSQL healthy, the migration done, the servers healthy, then nginx', (t) => {
  t.deepEqual(service('migrate').depends_on, { postgres: { condition: 'service_healthy' } });
  t.is(service('migrate').restart, 'no', 'one-shot: it runs once and exits');
  for (const name of [...REPLICAS, 'cli']) {
    t.deepEqual(
      service(name).depends_on,
      { migrate: { condition: 'service_completed_successfully' } },
      name,
    );
  }
  t.deepEqual(service('nginx').depends_on, {
    'auth-1': { condition: 'service_healthy' },
    'auth-2': { condition: 'service_healthy' },
  });
  t.deepEqual(service('example-api').depends_on, { nginx: { condition: 'service_started' } });
});

test('the servers are two replicas behind nginx: the same settings, trusting the proxy, the issuer at nginx', (t) => {
  const [first, second] = REPLICAS.map(environment);
  t.deepEqual(first, second, 'replicas share every setting, secrets included');
  const env = first ?? {};
  t.is(env.PORTCULLIS_TRUST_PROXY, 'true');
  // nginx is published on loopback port 8080, and that is the issuer every token names.
  t.deepEqual(service('nginx').ports, ['127.0.0.1:8080:8080/tcp']);
  t.is(env.PORTCULLIS_ISSUER, 'http://localhost:8080');
  for (const name of REPLICAS) t.is(service(name).ports, undefined, `${name} is not published`);

  // nginx's upstream list names each replica at the port it listens on.
  const nginx = environment('nginx');
  t.is(
    nginx.NGINX_UPSTREAMS,
    REPLICAS.map((name) => `server ${name}:${environment(name).PORTCULLIS_PORT};`).join(' '),
  );
  t.is(nginx.NGINX_LISTEN, '8080');
});

test("the servers' environment passes serve's own configuration check, in production mode", (t) => {
  const env = environment('auth-1');
  const config = loadServerConfig(env, { mode: 'production' });
  t.is(config.issuer, 'http://localhost:8080');
  t.true(config.trustProxy);
  t.is(config.host, '0.0.0.0');
  t.is(config.metricsPort, 9464);
  t.is(config.metricsHost, '0.0.0.0');
  t.regex(env.DATABASE_URL ?? '', /^postgres:\/\/portcullis:[0-9a-f]+@postgres:5432\/portcullis$/);
});

test('every PORTCULLIS_* variable a container gets is a setting its command reads', (t) => {
  const usedBy = new Map(SETTINGS.map((s) => [s.env, s.usedBy ?? (['serve', 'dev'] as const)]));
  const uses: Record<string, SettingUse> = {
    'auth-1': 'serve',
    'auth-2': 'serve',
    'example-api': 'example-api',
    migrate: 'cli',
    cli: 'cli',
  };
  for (const [name, s] of Object.entries(rendered.services)) {
    for (const variable of Object.keys(s.environment ?? {})) {
      if (!variable.startsWith('PORTCULLIS_')) continue;
      const readers: readonly SettingUse[] = usedBy.get(variable) ?? [];
      t.true(readers.length > 0, `${name}: ${variable} is not a setting`);
      const use = uses[name];
      t.true(
        use !== undefined && (readers.includes(use) || readers.includes('cli')),
        `${name}: ${variable} is not read by its command`,
      );
    }
  }
});

test('the example API takes tokens of the same issuer, its keys through nginx on the Compose network', (t) => {
  const env = environment('example-api');
  t.is(env.PORTCULLIS_ISSUER, environment('auth-1').PORTCULLIS_ISSUER);
  t.is(env.PORTCULLIS_API_RESOURCE, 'http://localhost:4000');
  t.is(env.PORTCULLIS_API_JWKS_URI, `http://nginx:${environment('nginx').NGINX_LISTEN}/jwks`);
  t.is(env.PORTCULLIS_API_HOST, '0.0.0.0');
  t.deepEqual(service('example-api').ports, [`127.0.0.1:4000:${env.PORTCULLIS_API_PORT}/tcp`]);
});

test("Prometheus scrapes both replicas' metrics ports", async (t) => {
  const config = yaml.parse(await readFile(path.join(composeDir, 'prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
  };
  const targets = config.scrape_configs.flatMap((job) =>
    job.static_configs.flatMap((c) => c.targets),
  );
  t.deepEqual(
    targets,
    REPLICAS.map((name) => `${name}:${environment(name).PORTCULLIS_METRICS_PORT}`),
  );
  t.true(
    service('prometheus').volumes?.some((v) =>
      v.startsWith(`${path.join(composeDir, 'prometheus.yml')}:/etc/prometheus/prometheus.yml`),
    ),
  );
});

test('hardening: read-only root filesystems, restarts, health checks, no capabilities for ours', (t) => {
  for (const [name, s] of Object.entries(rendered.services)) {
    t.true(s.read_only, `${name} has a read-only root filesystem`);
    if (ONE_SHOT.includes(name)) {
      t.is(s.restart, 'no', name);
      t.deepEqual(s.healthcheck?.test, ['NONE'], `${name} runs once: no health check`);
    } else {
      t.is(s.restart, 'unless-stopped', name);
      t.true((s.healthcheck?.test.length ?? 0) > 1, `${name} has a health check`);
    }
  }
  for (const name of [...REPLICAS, ...ONE_SHOT, 'example-api', 'nginx', 'prometheus']) {
    t.deepEqual(
      (service(name) as { cap_drop?: string[] }).cap_drop,
      ['ALL'],
      `${name} drops capabilities`,
    );
  }
  t.is(service('nginx').user, '101:101', 'nginx runs unprivileged');
  // The servers are checked for readiness (database and keys), not only for being alive.
  t.regex(service('auth-1').healthcheck?.test.join(' ') ?? '', /\/readyz/);
});

test('no secret is written in the files: each comes from .env, by name', async (t) => {
  const secrets = envValues(secretsEnv);
  t.deepEqual(Object.keys(secrets), ['PORTCULLIS_COOKIE_KEYS', 'PORTCULLIS_KEY_ENCRYPTION_KEY']);
  // Rendered from .env, the servers get exactly the generated values.
  for (const name of REPLICAS) t.like(environment(name), secrets);

  // As written (compose.yaml itself, its anchors merged), every secret is a reference to its
  // .env variable, never a value. (docker-compose 1.29's `config --no-interpolate` fails on
  // health-check intervals, so the file is read directly.)
  const source = yaml.parse(await readFile(composeFile, 'utf8'), { merge: true }) as Rendered;
  const services = source.services;
  const reference = (name: string) => new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`);
  for (const name of REPLICAS) {
    const env = services[name]?.environment ?? {};
    t.regex(env.PORTCULLIS_COOKIE_KEYS ?? '', reference('PORTCULLIS_COOKIE_KEYS'));
    t.regex(env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? '', reference('PORTCULLIS_KEY_ENCRYPTION_KEY'));
  }
  t.regex(services.postgres?.environment?.POSTGRES_PASSWORD ?? '', reference('POSTGRES_PASSWORD'));
  for (const name of [...REPLICAS, ...ONE_SHOT]) {
    t.regex(
      services[name]?.environment?.DATABASE_URL ?? '',
      /^postgres:\/\/portcullis:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/portcullis$/,
    );
  }
  // And nothing in the folder looks like one: no 32 bytes or more of base64url or hex.
  for (const file of ['compose.yaml', '.env.example', 'prometheus.yml']) {
    const text = await readFile(path.join(composeDir, file), 'utf8');
    t.notRegex(text, /[A-Za-z0-9_-]{43,}|[0-9a-f]{48,}/, file);
    t.notRegex(text, /^(PORTCULLIS_COOKIE_KEYS|PORTCULLIS_KEY_ENCRYPTION_KEY|POSTGRES_PASSWORD)=/m);
  }
});

/** `config` fails with one line that says `message`, and renders nothing. */
async function refuses(t: ExecutionContext, envText: string, message: string): Promise<void> {
  const result = await composeConfig(envText);
  t.not(result.code, 0, result.stdout);
  t.true(result.stderr.includes(message), result.stderr);
  t.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  t.is(result.stdout, '');
}

test('a .env without a secret stops `config` with one line naming it and how to make it', async (t) => {
  const { PORTCULLIS_COOKIE_KEYS: cookieKeys, PORTCULLIS_KEY_ENCRYPTION_KEY: kek } =
    envValues(secretsEnv);
  const password = 'POSTGRES_PASSWORD=x\n';
  const howTo = 'run `portcullis secrets generate >> .env` (infra/compose/README.md)';
  // .env.example as it is, before the secrets are appended: the first one missing is named.
  const example = await readFile(path.join(composeDir, '.env.example'), 'utf8');
  await Promise.all([
    refuses(t, `${example}${password}`, `PORTCULLIS_COOKIE_KEYS is not set: ${howTo}`),
    refuses(
      t,
      `${password}PORTCULLIS_COOKIE_KEYS=${cookieKeys}\n`,
      `PORTCULLIS_KEY_ENCRYPTION_KEY is not set: ${howTo}`,
    ),
    // Empty counts as missing.
    refuses(
      t,
      `${password}PORTCULLIS_COOKIE_KEYS=\nPORTCULLIS_KEY_ENCRYPTION_KEY=${kek}\n`,
      `PORTCULLIS_COOKIE_KEYS is not set: ${howTo}`,
    ),
    refuses(
      t,
      `${example}${secretsEnv}`,
      'POSTGRES_PASSWORD is not set: add POSTGRES_PASSWORD=... to .env (infra/compose/README.md)',
    ),
  ]);
});

test('nginx: the template renders with the compose values, and nginx accepts the result', async (t) => {
  const nginx = service('nginx');
  const env = environment('nginx');
  const template = await readFile(path.join(root, 'infra/nginx/portcullis.conf.template'), 'utf8');
  const names = (text: string) =>
    [...new Set([...text.matchAll(/\$\{(NGINX_[A-Z_]+)\}/g)].map((match) => match[1]))].sort();
  t.deepEqual(names(template), ['NGINX_LISTEN', 'NGINX_RUNTIME_DIR', 'NGINX_UPSTREAMS']);
  const shellFormat = names(template)
    .map((name) => `\${${name}}`)
    .join(' ');

  // The container's command: the template from its mount, through envsubst with exactly the
  // placeholders (nginx's own $variables stay), into the runtime folder (on the tmpfs), run there.
  const script = (nginx.entrypoint ?? []).join(' ').replaceAll('$$', '$');
  t.true(
    nginx.volumes?.includes(
      `${path.join(root, 'infra/nginx/portcullis.conf.template')}:/etc/portcullis/portcullis.conf.template:ro`,
    ),
  );
  t.deepEqual(names(/envsubst '([^']*)'/.exec(script)?.[1] ?? ''), names(template), script);
  t.true(script.includes('< /etc/portcullis/portcullis.conf.template'), script);
  t.true(script.includes('exec nginx -e stderr -c "$NGINX_RUNTIME_DIR/nginx.conf"'), script);
  t.true(env.NGINX_RUNTIME_DIR?.startsWith('/tmp/'), 'the runtime folder is on the tmpfs');
  t.true(nginx.tmpfs?.includes('/tmp'));

  // Rendered as the container does, with envsubst when it is installed (Debian: gettext-base).
  const values = {
    NGINX_LISTEN: env.NGINX_LISTEN ?? '',
    NGINX_UPSTREAMS: env.NGINX_UPSTREAMS ?? '',
    NGINX_RUNTIME_DIR: env.NGINX_RUNTIME_DIR ?? '',
  };
  const envsubst = await findProgram('envsubst');
  let text: string;
  if (envsubst) {
    text = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        envsubst,
        [shellFormat],
        { env: { PATH: process.env.PATH, ...values } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
      child.stdin?.end(template);
    });
  } else {
    t.log('envsubst is not installed (Debian: gettext-base): rendered by the test instead');
    text = renderNginxConfig(template, values);
  }
  t.notRegex(text, /\$\{NGINX_/);
  t.regex(text, /^\s*listen 8080;$/m);
  t.regex(text, /^\s*server auth-1:3000; server auth-2:3000;$/m);
  t.regex(text, /proxy_set_header X-Forwarded-For \$remote_addr;/, "nginx's variables are kept");

  const binary = await findProgram('nginx');
  if (!binary) {
    t.log('nginx is not installed (.ci/run installs it): `nginx -t` left out');
    return;
  }
  // `nginx -t` resolves upstream names, which exist only on the Compose network: the replicas
  // become loopback, and the runtime folder a temporary one, for the check alone.
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-compose-nginx-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o711);
  const config = path.join(dir, 'nginx.conf');
  await writeFile(
    config,
    text
      .replaceAll(values.NGINX_RUNTIME_DIR, dir)
      .replace(/server auth-\d+:(\d+);/g, 'server 127.0.0.1:$1;'),
  );
  const check = await runProgram(binary, ['-e', 'stderr', '-p', dir, '-t', '-c', config]);
  t.is(check.code, 0, check.stderr);
  t.regex(check.stderr, /test is successful/);
});
