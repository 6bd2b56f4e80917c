import test from 'ava';
import { checkServerPolicy, probeServerPolicy, type ServerPolicyFacts } from '../../src/index.ts';
import { ids } from './fixtures.ts';

const sound = (): ServerPolicyFacts => ({
  responseTypes: ['code'],
  grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
  codeChallengeMethods: ['S256'],
  tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  signingAlgorithms: ['ES256', 'RS256'],
  missingChallengeError: 'invalid_request',
  pushedAuthorizationRequestEndpoint: 'https://auth.example.com/request',
  requestObjects: false,
});

test("the server's own provider, asked over HTTP, requires PKCE with S256 and offers the code flow only", async (t) => {
  const policy = await probeServerPolicy();
  t.is(policy.missingChallengeError, 'invalid_request');
  t.deepEqual(policy.codeChallengeMethods, ['S256']);
  t.deepEqual(policy.responseTypes, ['code']);
  t.false(policy.grantTypes.includes('password'));
  t.false(policy.grantTypes.includes('implicit'));
  t.true(policy.grantTypes.includes('authorization_code'));
  t.false(policy.tokenEndpointAuthMethods.includes('client_secret_jwt'));
  t.true(policy.signingAlgorithms.includes('ES256'));
  t.false(policy.signingAlgorithms.some((alg) => /^HS|^none$/.test(alg)));
  t.is(policy.pushedAuthorizationRequestEndpoint, 'https://portcullis.invalid/request');
  t.false(policy.requestObjects);
  t.deepEqual(checkServerPolicy(policy), []);
});

test('a sound policy has no findings', (t) => {
  t.deepEqual(checkServerPolicy(sound()), []);
});

test('PKCE not enforced: an authorization request without a challenge accepted', (t) => {
  const [finding] = checkServerPolicy({ ...sound(), missingChallengeError: undefined });
  t.is(finding?.id, 'pkce-not-required');
  t.is(finding?.severity, 'error');
  t.regex(finding?.reason ?? '', /accepted.*RFC 9700 §2\.1\.1/);
  t.is(finding?.fix, null);
  t.regex(
    checkServerPolicy({ ...sound(), missingChallengeError: 'HTTP 500' })[0]?.reason ?? '',
    /answered HTTP 500/,
  );
});

test('plain PKCE, implicit response types, password grant, HS256, client_secret_jwt', (t) => {
  const findings = checkServerPolicy({
    ...sound(),
    codeChallengeMethods: ['plain', 'S256'],
    responseTypes: ['code', 'code id_token', 'token'],
    grantTypes: ['authorization_code', 'password', 'implicit'],
    signingAlgorithms: ['ES256', 'HS256', 'none'],
    tokenEndpointAuthMethods: ['client_secret_basic', 'client_secret_jwt'],
  });
  t.deepEqual(ids(findings), [
    'pkce-method-not-s256',
    'response-type-not-code',
    'server-password-grant',
    'server-implicit-grant',
    'symmetric-signing-offered',
    'client-secret-jwt-offered',
  ]);
  t.true(findings.every((f) => f.severity === 'error' && f.subject.kind === 'server'));
  t.regex(findings[2]?.reason ?? '', /RFC 9700 §2\.4/);
  t.regex(findings[4]?.reason ?? '', /HS256, none/);
});

test('a policy that could not be asked is a warning, not a pass', (t) => {
  const findings = checkServerPolicy({ error: 'listen EPERM' });
  t.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [['server-policy-unchecked', 'warning']],
  );
  t.regex(findings[0]?.reason ?? '', /listen EPERM/);
});

test('no pushed authorization requests: clients required to push could sign nobody in', (t) => {
  const [finding] = checkServerPolicy({
    ...sound(),
    pushedAuthorizationRequestEndpoint: undefined,
  });
  t.is(finding?.id, 'par-not-offered');
  t.is(finding?.severity, 'error');
  t.regex(finding?.reason ?? '', /--require-par.*PORTCULLIS_REQUIRE_PAR=on.*RFC 9126/);
});

test('request objects offered: they are off by design', (t) => {
  const [finding] = checkServerPolicy({ ...sound(), requestObjects: true });
  t.is(finding?.id, 'request-objects-offered');
  t.is(finding?.severity, 'error');
  t.regex(finding?.reason ?? '', /RFC 9101/);
});
