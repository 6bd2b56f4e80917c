// The doctor's data shapes in the admin API's OpenAPI document (openapi-schemas.ts adds them to
// `components.schemas`): a finding as `portcullis doctor --json` prints it, and the report.

const count = { type: 'integer', minimum: 0 };

/** The doctor's schemas, by name. */
export const DOCTOR_SCHEMAS = {
  Finding: {
    type: 'object',
    description: 'One thing the doctor found (the shape of `portcullis doctor --json`)',
    required: ['id', 'severity', 'subject', 'reason', 'fix'],
    properties: {
      id: { type: 'string', description: 'the check, stable: scripts may match on it' },
      severity: { enum: ['error', 'warning', 'info'] },
      subject: {
        type: 'object',
        required: ['kind', 'id'],
        properties: {
          kind: {
            enum: [
              'setting',
              'server',
              'schema',
              'client',
              'client-secret',
              'resource',
              'signing-key',
              'registration-token',
              'identity-provider',
            ],
          },
          id: { type: 'string', description: "a setting's name, a client's id, a kid..." },
          client_id: { type: 'string', description: 'the client a secret belongs to' },
          label: { type: 'string', description: "a name beside the id (a client's...)" },
        },
        additionalProperties: false,
      },
      reason: { type: 'string' },
      fix: {
        type: ['string', 'null'],
        description: 'the command or VARIABLE=value that fixes it; null when none does',
      },
    },
    additionalProperties: false,
  },
  DoctorReport: {
    type: 'object',
    description:
      "The doctor's findings on the running server's configuration and database, errors first; checks that reach client-registered URLs are skipped",
    required: ['mode', 'summary', 'findings', 'skipped'],
    properties: {
      mode: {
        enum: ['production', 'development'],
        description: 'the configuration judged: `serve` (production) or `dev`',
      },
      summary: {
        type: 'object',
        required: ['errors', 'warnings', 'notes'],
        properties: { errors: count, warnings: count, notes: count },
        additionalProperties: false,
      },
      findings: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
      skipped: {
        type: 'array',
        description: 'checks that did not run here, and why',
        items: {
          type: 'object',
          required: ['id', 'reason'],
          properties: { id: { type: 'string' }, reason: { type: 'string' } },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
} as const;
