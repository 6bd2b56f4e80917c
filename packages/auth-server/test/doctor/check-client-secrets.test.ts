import test from 'ava';
import { checkClientSecrets } from '../../src/index.ts';
import { client, daysAgo, daysAhead, ids, NOW, secret, withSecrets } from './fixtures.ts';

test('a confidential client with a live secret has no findings', (t) => {
  t.deepEqual(checkClientSecrets([withSecrets(client())], NOW), []);
});

test('no live secret: none at all, or every one expired', (t) => {
  const findings = checkClientSecrets(
    [
      withSecrets(client({ id: 'bare' }), []),
      withSecrets(client({ id: 'lapsed' }), [
        secret({ name: 'a', expiresAt: daysAgo(2) }),
        secret({ name: 'b', expiresAt: daysAgo(1) }),
      ]),
    ],
    NOW,
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.severity, f.subject.kind, f.subject.id]),
    [
      ['client-no-live-secret', 'warning', 'client', 'bare'],
      ['client-no-live-secret', 'warning', 'client', 'lapsed'],
      ['client-secret-expired', 'info', 'client-secret', 'a'],
      ['client-secret-expired', 'info', 'client-secret', 'b'],
    ],
  );
  t.is(findings[0]?.fix, 'portcullis clients rotate-secret bare');
  t.regex(findings[1]?.reason ?? '', /Every secret .* has expired/);
  t.is(findings[2]?.subject.clientId, 'lapsed');
  t.is(findings[2]?.fix, 'portcullis clients remove-secret lapsed a');
});

test('the fix for an expired secret names it so a shell and the CLI read it back unchanged', (t) => {
  const expired = (name: string) =>
    checkClientSecrets(
      [withSecrets(client({ id: 'c1' }), [secret({ name, expiresAt: daysAgo(1) })])],
      NOW,
    ).find((f) => f.id === 'client-secret-expired')?.fix;
  t.is(expired("old key's"), `portcullis clients remove-secret c1 'old key'\\''s'`);
  t.is(expired('-x'), 'portcullis clients remove-secret c1 -- -x');
});

test('every live secret expiring within 14 days is a warning; one lasting longer is enough', (t) => {
  const soon = secret({ name: 'old', expiresAt: daysAhead(3) });
  const [finding, ...rest] = checkClientSecrets([withSecrets(client(), [soon])], NOW);
  t.deepEqual(rest, []);
  t.is(finding?.id, 'client-secret-expiring');
  t.is(finding?.severity, 'warning');
  t.regex(finding?.reason ?? '', /within 3 days/);
  t.is(finding?.fix, 'portcullis clients rotate-secret c1');
  // After rotate-secret: the old one expires soon, the new one does not.
  t.deepEqual(
    checkClientSecrets([withSecrets(client(), [soon, secret({ name: 'new' })])], NOW),
    [],
  );
  t.deepEqual(
    checkClientSecrets([withSecrets(client(), [secret({ expiresAt: daysAhead(15) })])], NOW),
    [],
  );
});

test('a live secret older than a year is a warning naming the secret', (t) => {
  const findings = checkClientSecrets(
    [
      withSecrets(client(), [
        secret({ name: 'ancient', createdAt: daysAgo(365, 1) }),
        secret({ name: 'recent', createdAt: daysAgo(364) }),
        secret({ name: 'gone', createdAt: daysAgo(800), expiresAt: daysAgo(1) }),
      ]),
    ],
    NOW,
  );
  t.deepEqual(
    findings.map((f) => [f.id, f.subject.id]),
    [
      ['client-secret-old', 'ancient'],
      ['client-secret-expired', 'gone'],
    ],
  );
  t.regex(findings[0]?.reason ?? '', /365 days ago/);
  t.is(findings[0]?.fix, 'portcullis clients rotate-secret c1');
  // After the fix: the old secret expires within the overlap, the new one is young.
  t.deepEqual(
    checkClientSecrets(
      [
        withSecrets(client(), [
          secret({ name: 'ancient', createdAt: daysAgo(400), expiresAt: daysAhead(1) }),
          secret({ name: 'secret-2', createdAt: NOW }),
        ]),
      ],
      NOW,
    ),
    [],
  );
});

test('a public client holding secrets is a warning; without, nothing', (t) => {
  t.deepEqual(checkClientSecrets([withSecrets(client({ isPublic: true }), [])], NOW), []);
  t.deepEqual(ids(checkClientSecrets([withSecrets(client({ isPublic: true }))], NOW)), [
    'client-public-has-secret',
  ]);
});

test('a disabled client needs no live secret, but expired ones are still noted', (t) => {
  const off = client({ disabledAt: daysAgo(1) });
  t.deepEqual(checkClientSecrets([withSecrets(off, [])], NOW), []);
  t.deepEqual(
    ids(checkClientSecrets([withSecrets(off, [secret({ expiresAt: daysAgo(1) })])], NOW)),
    ['client-secret-expired'],
  );
});
