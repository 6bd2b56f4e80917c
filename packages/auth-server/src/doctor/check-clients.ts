import type { ClientRecord } from '@portcullis/storage';
import { formatDuration } from '../domain/duration.ts';
import { clientSubject, fixClient, isSupportedGrant } from './client-fix.ts';
import type { ClientFacts } from './facts.ts';
import { type Finding, shellQuote } from './finding.ts';
import { DOCTOR_THRESHOLDS } from './thresholds.ts';

const DAY = 86_400;

function checkGrants(client: ClientRecord): Finding[] {
  const findings: Finding[] = [];
  const subject = clientSubject(client);
  for (const grant of client.grantTypes) {
    if (grant === 'implicit' || grant === 'password') {
      findings.push({
        id: `client-${grant}-grant`,
        severity: 'error',
        subject,
        reason:
          grant === 'password'
            ? 'The client is registered for the resource owner password grant, which RFC 9700 §2.4 says MUST NOT be used (docs/security.md: no password grant).'
            : 'The client is registered for the implicit grant, which puts tokens in the redirect and which RFC 9700 §2.1.2 says clients SHOULD NOT use (docs/security.md: code only).',
        fix: fixClient(client),
      });
    } else if (!isSupportedGrant(grant)) {
      findings.push({
        id: 'client-grant-unsupported',
        severity: 'warning',
        subject,
        reason: `The client is registered for the grant "${grant}", which this server does not support, so its registration does not say what it can do.`,
        fix: fixClient(client),
      });
    }
  }
  if (client.isPublic && client.grantTypes.includes('client_credentials')) {
    findings.push({
      id: 'client-credentials-public',
      severity: 'error',
      subject,
      reason:
        'A public client is registered for client_credentials, which RFC 6749 §4.4 allows only for confidential clients: anyone could get its tokens.',
      fix: fixClient(client),
    });
  }
  return findings;
}

function checkLifetimes(client: ClientRecord): Finding[] {
  const findings: Finding[] = [];
  const subject = clientSubject(client);
  const { accessTokenTtl, refreshTokenTtl } = client;
  if (accessTokenTtl !== null && accessTokenTtl > DOCTOR_THRESHOLDS.accessTokenTtl) {
    findings.push({
      id: 'client-access-token-ttl-long',
      severity: 'warning',
      subject,
      reason: `The client's access tokens live ${formatDuration(accessTokenTtl)}, over ${formatDuration(DOCTOR_THRESHOLDS.accessTokenTtl)}, and a JWT cannot be recalled before it expires (docs/security.md: 10 minutes by default; RFC 6819 §5.1.5.3).`,
      fix: fixClient(client, '--access-token-ttl', '10m'),
    });
  }
  if (
    refreshTokenTtl !== null &&
    refreshTokenTtl > DOCTOR_THRESHOLDS.refreshTokenTtl &&
    client.grantTypes.includes('refresh_token')
  ) {
    findings.push({
      id: 'client-refresh-token-ttl-long',
      severity: 'warning',
      subject,
      reason: `The client's refresh tokens (and the grants behind them) live ${formatDuration(refreshTokenTtl)}, over ${formatDuration(DOCTOR_THRESHOLDS.refreshTokenTtl)}, though RFC 9700 §4.14.2 asks that they expire when the client has been inactive for some time.`,
      fix: fixClient(client, '--refresh-token-ttl', '30d'),
    });
  }
  return findings;
}

function checkUse(client: ClientRecord, now: Date): Finding[] {
  if (client.disabledAt) return [];
  const since = client.lastUsedAt ?? client.createdAt;
  const idleSeconds = (now.getTime() - since.getTime()) / 1000;
  if (idleSeconds <= DOCTOR_THRESHOLDS.clientUnused) return [];
  const days = Math.floor(idleSeconds / DAY);
  return [
    {
      id: 'client-unused',
      severity: 'warning',
      subject: clientSubject(client),
      reason: client.lastUsedAt
        ? `The client was last used ${days} days ago (${since.toISOString()}), yet its credentials still work; least privilege says disable what nobody uses.`
        : `The client was registered ${days} days ago and never used, yet its credentials work; least privilege says disable what nobody uses.`,
      fix: `portcullis clients disable ${shellQuote(client.id)}`,
    },
  ];
}

/**
 * Judges each client's registration: no password or implicit grant (RFC 9700 §2.4, §2.1.2), no
 * public client with client_credentials, token lifetimes within bounds, and use within the last
 * 90 days (disabled clients are not expected to be used). Pure: reads only its arguments.
 *
 * @example
 * checkClients(facts.database.clients, facts.now);
 */
export function checkClients(clients: readonly ClientFacts[], now: Date): Finding[] {
  return clients.flatMap(({ client }) => [
    ...checkGrants(client),
    ...checkLifetimes(client),
    ...checkUse(client, now),
  ]);
}
