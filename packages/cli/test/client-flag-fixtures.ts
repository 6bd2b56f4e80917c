import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '@portcullis/storage/testing';
import test from 'ava';
import {
  type ClientJson,
  cli,
  cliJson,
  createService,
  failsWithOneLine,
} from './clients-fixtures.ts';

/** A per-client on/off setting: its flag, its JSON and `apply` key, its line in `clients show`. */
export interface ClientFlag {
  /** `--require-dpop`; `update` takes `--no-...` too. */
  flag: string;
  /** The key in `--json` output and in `apply` files: `dpop_bound_access_tokens`. */
  key: string;
  /** The label of its line in `clients show`: `DPoP required`. */
  label: string;
  /** Creates a client the flag fits (`args` added to `clients create`). */
  create(database: TestDatabase, name: string, args: string[]): Promise<ClientJson>;
  /** The `apply` lines (4-space indented, after `- name: ...`) of a client the flag fits. */
  declared: string;
}

/**
 * Registers the tests every per-client on/off setting shares: create with and without the flag,
 * `clients show` and `--json`, `update --flag` and `--no-flag` (reported in `changed`), another
 * update leaving it alone, and the `apply` key setting, refusing a non-boolean, and clearing it.
 *
 * @example
 * testClientFlag(database, { flag: '--require-par', key: 'require_pushed_authorization_requests', ... });
 */
export function testClientFlag(database: TestDatabase, spec: ClientFlag): void {
  type WithFlag = ClientJson & Record<string, unknown> & { changed?: string[] };
  let dir = '';
  test.before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `portcullis${spec.flag}-`));
  });
  test.after.always(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const showLine = (value: string) => new RegExp(`^${spec.label}: +${value}$`, 'm');

  test(`create, update, clear and show ${spec.flag}`, async (t) => {
    const plain = (await spec.create(database, `plain ${spec.key}`, [])) as WithFlag;
    t.false(plain[spec.key]);
    const show = (name: string) => cli(database, ['clients', 'show', name]);
    t.regex((await show(`plain ${spec.key}`)).stdout, showLine('no'));
    const set = (await spec.create(database, `set ${spec.key}`, [spec.flag])) as WithFlag;
    t.true(set[spec.key]);
    t.regex((await show(`set ${spec.key}`)).stdout, showLine('yes'));

    const update = (name: string, args: string[]) =>
      cliJson<WithFlag>(database, ['clients', 'update', name, ...args, '--json']);
    const off = await update(`set ${spec.key}`, [spec.flag.replace(/^--/, '--no-')]);
    t.false(off[spec.key]);
    t.deepEqual(off.changed, [spec.key]);
    t.true((await update(`plain ${spec.key}`, [spec.flag]))[spec.key]);
    // Another change leaves it as it is.
    t.true((await update(`plain ${spec.key}`, ['--name', `renamed ${spec.key}`]))[spec.key]);
  });

  test(`apply: the ${spec.key} key sets and clears it`, async (t) => {
    const name = `applied ${spec.key}`;
    const declare = async (line: string) => {
      const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
      await writeFile(file, `clients:\n  - name: ${name}\n${spec.declared}${line}`);
      return cli(database, ['apply', '-f', file]);
    };
    const shown = async () =>
      (await cliJson<WithFlag>(database, ['clients', 'show', name]))[spec.key];

    const created = await declare(`    ${spec.key}: true\n`);
    t.is(created.code, 0, created.stderr);
    t.true(await shown());
    const refused = await declare(`    ${spec.key}: yes please\n`);
    t.is(refused.code, 1);
    t.regex(refused.stderr, new RegExp(`clients\\[0\\]\\.${spec.key}`));
    const cleared = await declare('');
    t.is(cleared.code, 0, cleared.stderr);
    t.regex(cleared.stdout, new RegExp(spec.key));
    t.false(await shown());
  });
}

/**
 * Registers the test of a flag that only a client with the authorization_code grant may have:
 * `create` and `update` of a client_credentials client with it are refused with `refused` (one
 * line), and nothing is written.
 *
 * @example
 * testAuthorizationCodeOnly(database, { flag: '--require-par', key: '...', refused: /.../ }, 'be required to push');
 */
export function testAuthorizationCodeOnly(
  database: TestDatabase,
  spec: Pick<ClientFlag, 'flag' | 'key'> & { refused: RegExp },
  what: string,
): void {
  test(`only a client with the authorization_code grant can ${what}`, async (t) => {
    const machine = `machine ${spec.key}`;
    const created = await cli(database, [
      'clients',
      'create',
      '--name',
      machine,
      '--grant',
      'client_credentials',
      spec.flag,
    ]);
    failsWithOneLine(t, created, spec.refused);
    t.is((await cli(database, ['clients', 'show', machine])).code, 1);

    const service = `service ${spec.key}`;
    await createService(database, service);
    failsWithOneLine(
      t,
      await cli(database, ['clients', 'update', service, spec.flag]),
      spec.refused,
    );
    const shown = await cliJson<ClientJson & Record<string, unknown>>(database, [
      'clients',
      'show',
      service,
    ]);
    t.false(shown[spec.key]);
  });
}
