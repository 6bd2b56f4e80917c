import { validateBackchannelLogoutUri } from '../services/validation.ts';
import { clientSubject, fixClient } from './client-fix.ts';
import type { ClientFacts, DoctorMode } from './facts.ts';
import type { Finding } from './finding.ts';

/**
 * Judges every client's back-channel logout URI: one `clients create` would refuse now is an
 * error; plain http (loopback, allowed for development) is a warning in production, where it
 * means the app runs on the server's own machine or the URI was left from testing; and one that
 * did not answer doctor's POST (see reachLogoutReceiver) is a warning, since every logout token
 * sent there is lost. Pure: reads only `clients` and `mode`.
 *
 * @example
 * checkBackchannelLogout(facts.database.clients, facts.configuration.mode);
 */
export function checkBackchannelLogout(
  clients: readonly ClientFacts[],
  mode: DoctorMode,
): Finding[] {
  return clients.flatMap(({ client, logoutReceiver }): Finding[] => {
    const uri = client.backchannelLogoutUri;
    if (!uri) return [];
    const subject = clientSubject(client);
    try {
      validateBackchannelLogoutUri(uri);
    } catch (error) {
      return [
        {
          id: 'backchannel-logout-uri-invalid',
          severity: 'error',
          subject,
          reason: `${(error as Error).message}: OIDC Back-Channel Logout 1.0 §2.2 asks for an absolute URL the server can POST to, and docs/security.md for https.`,
          fix: fixClient(client, '--no-backchannel-logout-uri'),
        },
      ];
    }
    const findings: Finding[] = [];
    if (new URL(uri).protocol === 'http:' && mode === 'production') {
      findings.push({
        id: 'backchannel-logout-uri-not-https',
        severity: 'warning',
        subject,
        reason: `The back-channel logout URI "${uri}" is plain http on loopback: fine in development, but in production logout tokens should reach the app over https (docs/security.md: back-channel logout).`,
        fix: fixClient(client, '--backchannel-logout-uri', `https:${uri.slice('http:'.length)}`),
      });
    }
    if (logoutReceiver && 'error' in logoutReceiver) {
      findings.push({
        id: 'backchannel-logout-unreachable',
        severity: 'warning',
        subject,
        reason: `The back-channel logout URI "${uri}" did not answer a POST from here (${logoutReceiver.error}): the logout tokens sent there are lost and the app keeps its users signed in. Check that the app is up and reachable from the servers' network.`,
        fix: null,
      });
    }
    return findings;
  });
}
