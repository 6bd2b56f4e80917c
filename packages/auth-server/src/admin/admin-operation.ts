import type { Database } from '@portcullis/storage';
import type { AdminScope } from '../domain/admin-api.ts';

/** What an admin operation is given: the request, its caller, and the database to use. */
export interface AdminCall {
  /** The path's parameters, decoded (`client` in `/clients/{client}`). */
  params: Record<string, string>;
  /** The query, validated against the operation's parameters. */
  query: Record<string, string | string[] | undefined>;
  /** The JSON body, validated against the operation's schema; undefined without one. */
  body: unknown;
  /** The audit actor: `client:<id>` for a client's own token, `user:<sub>` for a user's. */
  actor: string;
  /** The scopes the caller's access token grants (an operation may need more than its own). */
  scopes: ReadonlySet<string>;
  /** The caller's address, as the audit trail records it. */
  address: string;
  /** The database, or the transaction a conditional change runs in. */
  db: Database;
}

/** What an operation answers; the handler adds the headers and checks it against the document. */
export interface AdminReply {
  status: number;
  body?: unknown;
  /** The version of the resource after the call, sent as `ETag`. */
  etag?: string;
  /** Where a created resource is, below the issuer (sent as `Location`). */
  location?: string;
}

/** One operation of the admin API: a line of the route table (admin-routes.ts). */
export interface AdminOperation {
  /** Its operationId in the OpenAPI document (openapi.ts), which gives its schemas. */
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path below /admin/v1 as the document writes it: `/clients/{client}`. */
  path: string;
  /** The scope the token must grant; undefined: served without a token (the document itself). */
  scope?: AdminScope;
  /**
   * A conditional change: the version (the representation whose ETag the caller read) of what it
   * changes, read after locking it. The change needs `If-Match` (428 without), runs only when it
   * matches (412 when not), and both run in one transaction holding that lock, so two operators
   * never overwrite each other silently.
   */
  version?: (call: AdminCall) => Promise<unknown>;
  /** Body keys of service fields that this operation names otherwise than field-keys.ts does. */
  fieldKeys?: Readonly<Record<string, string>>;
  run(call: AdminCall): Promise<AdminReply>;
}
