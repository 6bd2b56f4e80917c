import type { ResourceRecord } from '@portcullis/storage';
import { formatDuration } from '../domain/duration.ts';
import { type Finding, shellQuote } from './finding.ts';
import { DOCTOR_THRESHOLDS } from './thresholds.ts';

/**
 * Judges each API resource's access-token lifetime: over an hour is too long for a token that
 * (as a JWT) cannot be recalled, or (opaque) is replayable until it expires. Pure.
 *
 * @example
 * checkResources(facts.database.resources);
 */
export function checkResources(resources: readonly ResourceRecord[]): Finding[] {
  return resources
    .filter((resource) => resource.accessTokenTtl > DOCTOR_THRESHOLDS.accessTokenTtl)
    .map((resource) => ({
      id: 'resource-access-token-ttl-long',
      severity: 'warning',
      subject: { kind: 'resource', id: resource.identifier, label: resource.name },
      reason: `Access tokens for the resource live ${formatDuration(resource.accessTokenTtl)}, over ${formatDuration(DOCTOR_THRESHOLDS.accessTokenTtl)}, and ${resource.accessTokenFormat === 'jwt' ? 'a JWT cannot be recalled' : 'a stolen token works'} until it expires (docs/security.md: 10 minutes by default; RFC 6819 §5.1.5.3).`,
      fix: `portcullis resources update ${shellQuote(resource.identifier)} --access-token-ttl 10m`,
    }));
}
