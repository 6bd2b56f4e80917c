import type { ResourceRecord } from '@portcullis/storage';
import test from 'ava';
import { checkOpenRegistration } from '../../src/index.ts';
import { daysAgo, ids } from './fixtures.ts';

// Open dynamic registration's findings: a listed resource that does not exist, and no limit.

const MCP = 'https://mcp.example.com/mcp';
const resource = (identifier: string) =>
  ({
    identifier,
    name: identifier,
    accessTokenTtl: 600,
    accessTokenFormat: 'jwt',
    introspectionClients: [],
    scopes: [{ name: 'mcp:tools', description: 'tools' }],
    roleGatedScopes: [],
    rolesClaim: false,
    createdAt: daysAgo(30),
  }) as ResourceRecord;

const configuration = (env: Record<string, string>) => ({
  mode: 'production' as const,
  env: { PORTCULLIS_REGISTRATION: 'on', PORTCULLIS_REGISTRATION_OPEN_RESOURCES: MCP, ...env },
  devSecrets: undefined,
});

test('open registration for a registered resource, limited: nothing to say', (t) => {
  t.deepEqual(checkOpenRegistration(configuration({}), [resource(MCP)]), []);
});

test('not open, or registration off: nothing to say', (t) => {
  t.deepEqual(
    checkOpenRegistration(configuration({ PORTCULLIS_REGISTRATION_OPEN_RESOURCES: '' }), []),
    [],
  );
  t.deepEqual(checkOpenRegistration(configuration({ PORTCULLIS_REGISTRATION: 'off' }), []), []);
});

test('a listed resource that is not registered is an error naming it and the command', (t) => {
  const other = 'https://other.example.com';
  const findings = checkOpenRegistration(
    configuration({ PORTCULLIS_REGISTRATION_OPEN_RESOURCES: `${MCP} ${other}` }),
    [resource(MCP)],
  );
  t.deepEqual(ids(findings), ['registration-open-resource-unknown']);
  t.is(findings[0]?.severity, 'error');
  t.deepEqual(findings[0]?.subject, {
    kind: 'setting',
    id: 'PORTCULLIS_REGISTRATION_OPEN_RESOURCES',
    label: other,
  });
  t.regex(
    findings[0]?.fix ?? '',
    /^portcullis resources create --identifier https:\/\/other\.example\.com /,
  );
});

test('open registration without its per-address limit is a warning', (t) => {
  const findings = checkOpenRegistration(
    configuration({ PORTCULLIS_LIMIT_REGISTRATION_ADDRESS: 'off' }),
    [resource(MCP)],
  );
  t.deepEqual(ids(findings), ['registration-open-without-limit']);
  t.is(findings[0]?.severity, 'warning');
  t.is(findings[0]?.fix, 'PORTCULLIS_LIMIT_REGISTRATION_ADDRESS=10/1h');
});
