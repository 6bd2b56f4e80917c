import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@portcullis/storage/testing';
import test from 'ava';
import { cli, cliJson, exampleResourceDatabase, webAppArgs } from './clients-fixtures.ts';

// `doctor` POSTs to every enabled client's back-channel logout URI (issue 12, item 7): one that
// answers is sound, one nobody listens on is a warning; plain http is a warning in production.

interface FindingJson {
  id: string;
  severity: string;
  subject: { id: string };
  fix: string | null;
}

let receiver: http.Server;
let answering: string;
const database = exampleResourceDatabase(async () => {
  receiver = http.createServer((_req, res) => res.writeHead(400).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  answering = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/logout`;
});
test.after.always(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
});

const logoutFindings = async (mode: 'dev' | 'production') => {
  // Exit 1 or 0, by the rest of the deployment: only the logout findings matter here.
  const result = await cli(database, ['doctor', '--mode', mode, '--json']);
  return (JSON.parse(result.stdout) as FindingJson[]).filter((f) =>
    f.id.startsWith('backchannel-logout'),
  );
};

test('an answering receiver is sound, a silent one a warning; http a warning in production', async (t) => {
  const live = await cliJson<{ client_id: string }>(
    database,
    webAppArgs('live receiver', ['--backchannel-logout-uri', answering]),
  );
  const silentUri = `http://127.0.0.1:${await freePort()}/logout`;
  const silent = await cliJson<{ client_id: string }>(
    database,
    webAppArgs('silent receiver', ['--backchannel-logout-uri', silentUri]),
  );
  const disabled = await cliJson<{ client_id: string }>(
    database,
    webAppArgs('disabled receiver', ['--backchannel-logout-uri', silentUri]),
  );
  await cliJson(database, ['clients', 'disable', 'disabled receiver']);

  const dev = await logoutFindings('dev');
  t.deepEqual(
    dev.map((f) => [f.id, f.severity, f.subject.id]),
    [['backchannel-logout-unreachable', 'warning', silent.client_id]],
    'a disabled client is not probed',
  );

  const production = await logoutFindings('production');
  t.deepEqual(
    production.map((f) => [f.id, f.subject.id]).sort(),
    [
      ['backchannel-logout-unreachable', silent.client_id],
      ['backchannel-logout-uri-not-https', disabled.client_id],
      ['backchannel-logout-uri-not-https', live.client_id],
      ['backchannel-logout-uri-not-https', silent.client_id],
    ].sort(),
  );
});
