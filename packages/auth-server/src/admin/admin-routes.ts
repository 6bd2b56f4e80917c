import { ADMIN_API_PATH } from '../domain/admin-api.ts';
import type { AdminOperation } from './admin-operation.ts';
import { applyOperations } from './apply/apply-operations.ts';
import { auditOperations } from './audit/audit-operations.ts';
import { clientOperations } from './clients/client-operations.ts';
import { type DoctorOperationsDeps, doctorOperations } from './doctor/doctor-operations.ts';
import { grantOperations } from './grants/grant-operations.ts';
import { keyOperations } from './keys/key-operations.ts';
import { servedDocument } from './openapi.ts';
import { resourceOperations } from './resources/resource-operations.ts';
import { tokenOperations } from './tokens/token-operations.ts';
import { userOperations } from './users/user-operations.ts';

/** What {@link adminOperations} needs: the server's issuer, key-encryption key and configuration. */
export interface AdminOperationsConfig extends DoctorOperationsDeps {
  issuer: string;
  keyEncryptionKey: Buffer;
}

/**
 * Every operation of the admin API, in one table: the OpenAPI document describes exactly these
 * (a contract test checks both ways), and admin-api.ts turns each into a host route.
 *
 * @example
 * adminOperations({ issuer, keyEncryptionKey, mode, environment }).map((o) => o.path);
 */
export function adminOperations(config: AdminOperationsConfig): AdminOperation[] {
  const document = servedDocument(config.issuer);
  return [
    {
      operationId: 'getOpenApiDocument',
      method: 'GET',
      path: '/openapi.json',
      run: async () => ({ status: 200, body: document }),
    },
    ...clientOperations(),
    ...resourceOperations(),
    ...userOperations(config),
    ...grantOperations(),
    ...auditOperations(),
    ...keyOperations(config),
    ...applyOperations(),
    ...doctorOperations(config),
    ...tokenOperations(),
  ];
}

/**
 * The host route path of a document path: `/clients/{client}` → `/admin/v1/clients/:client`.
 *
 * @example
 * routePath('/clients/{client}'); // '/admin/v1/clients/:client'
 */
export const routePath = (path: string): string =>
  `${ADMIN_API_PATH}${path.replace(/\{(\w+)\}/g, ':$1')}`;

/**
 * The route name of a document path, shared by its methods (metrics and the access line):
 * `/clients/{client}/secrets` → `admin_clients_client_secrets`.
 *
 * @example
 * routeName('/openapi.json'); // 'admin_openapi_json'
 */
export const routeName = (path: string): string =>
  `admin${path.replace(/[{}]/g, '').replace(/[^\w]+/g, '_')}`;
