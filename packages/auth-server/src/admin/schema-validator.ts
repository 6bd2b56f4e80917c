import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { OPENAPI_DOCUMENT } from './openapi.ts';
import type { ProblemField } from './problem.ts';

/** The document's own `$id` for ajv: schema references resolve inside it. */
const DOCUMENT_ID = 'openapi.json';

interface Operation {
  operationId: string;
  parameters?: readonly Parameter[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Parameter {
  name: string;
  in: string;
  schema: unknown;
}

/** The checks of one operation, compiled from the document once. */
export interface OperationChecks {
  /** Problems with the query (each named by its parameter); empty when it is fine. */
  query(query: Record<string, string | string[] | undefined>): ProblemField[];
  /** Problems with the JSON body (each with its pointer); undefined: the operation has none. */
  body?: (body: unknown) => ProblemField[];
  /** Why a response does not match the document (empty when it does). */
  response(status: number, body: unknown): string[];
}

/** Every operation's checks, by operationId. */
export type AdminValidator = ReadonlyMap<string, OperationChecks>;

const schemaRef = (schema: unknown): string | undefined =>
  (schema as { $ref?: string } | undefined)?.$ref;

// ajv's message, with the field it is about first: `name must be string`, `unknown field "x"`.
function describe(error: ErrorObject): ProblemField {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    const pointer = `${error.instancePath}/${params.missingProperty}`;
    return { pointer, detail: `${pointer.slice(1)} is required` };
  }
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    const pointer = `${error.instancePath}/${params.additionalProperty}`;
    return { pointer, detail: `unknown field "${pointer.slice(1)}"` };
  }
  const where = error.instancePath === '' ? 'the body' : error.instancePath.slice(1);
  return { pointer: error.instancePath, detail: `${where} ${error.message ?? 'is not valid'}` };
}

// One problem per place: `anyOf` reports each branch, the first says enough.
const distinct = (fields: ProblemField[]) =>
  fields.filter((f, i) => fields.findIndex((g) => g.pointer === f.pointer) === i);

/**
 * Compiles the checks of every operation of the OpenAPI document with ajv (JSON Schema 2020-12,
 * as OpenAPI 3.1 uses, with ajv-formats): request bodies, query parameters (typed from their
 * strings) and responses. Errors come back in the caller's terms, each with the field it is
 * about, for problem details.
 *
 * @example
 * const checks = createAdminValidator().get('createClient');
 * checks?.body?.({ name: 1 }); // [{ pointer: '/name', detail: 'name must be string' }, ...]
 */
export function createAdminValidator(): AdminValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const queries = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: 'array',
  });
  for (const instance of [ajv, queries]) {
    addFormats.default(instance);
    // The document's other keys are not JSON Schema: only `components` is read, for `$ref`s.
    instance.addKeyword({ keyword: 'components' });
  }
  ajv.addSchema({ $id: DOCUMENT_ID, components: { schemas: OPENAPI_DOCUMENT.components.schemas } });
  const compile = (schema: unknown): ValidateFunction | undefined => {
    const ref = schemaRef(schema);
    return ref === undefined ? undefined : ajv.getSchema(`${DOCUMENT_ID}${ref}`);
  };

  const checks = new Map<string, OperationChecks>();
  for (const item of Object.values(OPENAPI_DOCUMENT.paths)) {
    for (const [method, value] of Object.entries(item)) {
      if (method === 'parameters') continue;
      const operation = value as Operation;
      const inQuery = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const query = queries.compile({
        type: 'object',
        properties: Object.fromEntries(inQuery.map((p) => [p.name, p.schema])),
        additionalProperties: false,
      });
      const bodySchema = operation.requestBody?.content['application/json']?.schema;
      const body = compile(bodySchema);
      const responses = new Map<number, ValidateFunction | undefined>(
        Object.entries(operation.responses).map(([status, response]) => {
          const content = response.content ?? {};
          const media = content['application/json'] ?? content['application/problem+json'];
          return [Number(status), compile(media?.schema)];
        }),
      );
      checks.set(operation.operationId, {
        query(values) {
          const copy = { ...values };
          if (query(copy)) return [];
          return (query.errors ?? []).map((error) => {
            const { pointer, detail } = describe(error);
            return { parameter: pointer?.slice(1) ?? '', detail };
          });
        },
        ...(body
          ? {
              body: (value: unknown) =>
                body(value) ? [] : distinct((body.errors ?? []).map(describe)),
            }
          : {}),
        response(status, value) {
          if (!responses.has(status)) return [`status ${status} is not documented`];
          const validate = responses.get(status);
          if (!validate || validate(value)) return [];
          return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
        },
      });
    }
  }
  return checks;
}
