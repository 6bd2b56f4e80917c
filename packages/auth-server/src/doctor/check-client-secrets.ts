import type { ClientRecord } from '@portcullis/storage';
import { clientSubject } from './client-fix.ts';
import type { ClientFacts, SecretFacts } from './facts.ts';
import { type Finding, type FindingSubject, shellQuote } from './finding.ts';
import { DOCTOR_THRESHOLDS } from './thresholds.ts';

const DAY = 86_400;

const secretSubject = (client: ClientRecord, secret: SecretFacts): FindingSubject => ({
  kind: 'client-secret',
  id: secret.name,
  clientId: client.id,
  label: client.name,
});

const rotate = (client: ClientRecord) =>
  `portcullis clients rotate-secret ${shellQuote(client.id)}`;

// `--` keeps a name like `-x` from being read as an option.
const removeSecret = (client: ClientRecord, secret: SecretFacts) =>
  `portcullis clients remove-secret ${shellQuote(client.id)} ${secret.name.startsWith('-') ? '-- ' : ''}${shellQuote(secret.name)}`;

const isLive = (secret: SecretFacts, now: Date) =>
  secret.expiresAt === null || secret.expiresAt.getTime() > now.getTime();

function checkConfidential(client: ClientRecord, secrets: SecretFacts[], now: Date): Finding[] {
  const findings: Finding[] = [];
  const live = secrets.filter((s) => isLive(s, now));
  if (live.length === 0) {
    findings.push({
      id: 'client-no-live-secret',
      severity: 'warning',
      subject: clientSubject(client),
      reason:
        secrets.length === 0
          ? 'The confidential client has no secret, so it cannot authenticate and every token request fails.'
          : 'Every secret of the confidential client has expired, so it cannot authenticate and every token request fails.',
      fix: rotate(client),
    });
  } else {
    const lastExpiry = Math.max(...live.map((s) => s.expiresAt?.getTime() ?? Infinity));
    const within = (lastExpiry - now.getTime()) / 1000;
    if (within <= DOCTOR_THRESHOLDS.clientSecretExpiringWithin) {
      findings.push({
        id: 'client-secret-expiring',
        severity: 'warning',
        subject: clientSubject(client),
        reason: `Every live secret of the client expires within ${Math.ceil(within / DAY)} days (by ${new Date(lastExpiry).toISOString()}), after which it cannot authenticate.`,
        fix: rotate(client),
      });
    }
  }
  for (const secret of live) {
    const ageSeconds = (now.getTime() - secret.createdAt.getTime()) / 1000;
    // A secret already on its way out (the overlap after `rotate-secret`) needs nothing more.
    const leaving =
      secret.expiresAt !== null &&
      (secret.expiresAt.getTime() - now.getTime()) / 1000 <=
        DOCTOR_THRESHOLDS.clientSecretExpiringWithin;
    if (ageSeconds > DOCTOR_THRESHOLDS.clientSecretAge && !leaving) {
      findings.push({
        id: 'client-secret-old',
        severity: 'warning',
        subject: secretSubject(client, secret),
        reason: `The secret was created ${Math.floor(ageSeconds / DAY)} days ago and still works; rotating at least yearly bounds how long a leaked copy is useful (docs/security.md: client secrets; NIST SP 800-57 cryptoperiods).`,
        fix: rotate(client),
      });
    }
  }
  return findings;
}

/**
 * Judges each client's secrets: a confidential, enabled client needs one that has not expired
 * and is not about to; live secrets older than a year should be rotated (unless already
 * expiring within 14 days, as after `rotate-secret`); expired secrets still
 * stored are noted; a public or `private_key_jwt` client should hold none. Only names and dates are read, never
 * hashes. Pure: reads only its arguments.
 *
 * @example
 * checkClientSecrets(facts.database.clients, facts.now);
 */
export function checkClientSecrets(clients: readonly ClientFacts[], now: Date): Finding[] {
  return clients.flatMap(({ client, secrets }): Finding[] => {
    if (client.isPublic) {
      return secrets.length === 0
        ? []
        : [
            {
              id: 'client-public-has-secret',
              severity: 'warning',
              subject: clientSubject(client),
              reason: `The public client holds ${secrets.length} secret(s), yet authenticates with none, so nothing stops a copy of them being trusted elsewhere (docs/security.md: public clients have no secret).`,
              // `remove-secret` refuses public clients, and `update --public` only acts on a change.
              fix: null,
            },
          ];
    }
    if (client.tokenEndpointAuthMethod === 'private_key_jwt') {
      return secrets.length === 0
        ? []
        : [
            {
              id: 'client-keys-has-secret',
              severity: 'warning',
              subject: clientSubject(client),
              reason: `The private_key_jwt client holds ${secrets.length} secret(s), yet the servers accept none from it, so nothing stops a copy of them being trusted elsewhere.`,
              // `remove-secret` refuses keyed clients, and `update` only acts on a change.
              fix: null,
            },
          ];
    }
    const expired = secrets.filter((s) => !isLive(s, now));
    return [
      ...(client.disabledAt ? [] : checkConfidential(client, secrets, now)),
      ...expired.map(
        (secret): Finding => ({
          id: 'client-secret-expired',
          severity: 'info',
          subject: secretSubject(client, secret),
          reason: `The secret expired on ${secret.expiresAt?.toISOString()} and can no longer authenticate, but its hash is still stored.`,
          fix: removeSecret(client, secret),
        }),
      ),
    ];
  });
}
