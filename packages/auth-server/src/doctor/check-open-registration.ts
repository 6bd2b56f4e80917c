import type { ResourceRecord } from '@portcullis/storage';
import { SETTING } from '../config/settings.ts';
import type { ConfigurationFacts } from './facts.ts';
import type { Finding } from './finding.ts';

const SETTING_NAME = 'PORTCULLIS_REGISTRATION_OPEN_RESOURCES';

/**
 * Judges open dynamic registration (PORTCULLIS_REGISTRATION_OPEN_RESOURCES, for MCP clients):
 * a listed identifier that is no registered resource makes every open registration fail (an
 * error: MCP clients cannot register at all), and open registration without its per-address
 * limit lets one address fill the clients table and the audit trail (a warning). Pure.
 *
 * @example
 * checkOpenRegistration(facts.configuration, facts.database.resources);
 */
export function checkOpenRegistration(
  configuration: ConfigurationFacts,
  resources: readonly ResourceRecord[],
): Finding[] {
  const open = (configuration.env[SETTING_NAME] ?? '').split(/\s+/).filter((id) => id !== '');
  if (open.length === 0 || configuration.env.PORTCULLIS_REGISTRATION !== 'on') return [];
  const registered = new Set(resources.map((resource) => resource.identifier));
  const findings: Finding[] = open
    .filter((identifier) => !registered.has(identifier))
    .map((identifier) => ({
      id: 'registration-open-resource-unknown',
      severity: 'error',
      subject: { kind: 'setting', id: SETTING_NAME, label: identifier },
      reason: `${SETTING_NAME} lists ${identifier}, which is no registered resource, so every registration without an initial access token is refused (400) and MCP clients cannot register (docs/operators.md: open registration).`,
      fix: `portcullis resources create --identifier ${identifier} --name NAME --scope "name=description"`,
    }));
  if (configuration.env.PORTCULLIS_LIMIT_REGISTRATION_ADDRESS === 'off') {
    findings.push({
      id: 'registration-open-without-limit',
      severity: 'warning',
      subject: { kind: 'setting', id: 'PORTCULLIS_LIMIT_REGISTRATION_ADDRESS' },
      reason:
        'Open registration is on with no limit per address: anyone can register clients as fast as they can send requests, filling the clients table and the audit trail (RFC 7591 §5; docs/security.md: open registration).',
      fix: `PORTCULLIS_LIMIT_REGISTRATION_ADDRESS=${SETTING.PORTCULLIS_LIMIT_REGISTRATION_ADDRESS.default}`,
    });
  }
  return findings;
}
