// One class per error the API answers with. Each has a stable `code` (compare by code), the
// HTTP `status`, `expose` (4xx explain themselves, 5xx do not), the JSON `error` value and a
// fixed `description` that never echoes the request.

/** Base class of the errors the example API turns into JSON responses. */
export abstract class ApiError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly error: string;
  readonly description: string;
  get expose(): boolean {
    return this.status < 500;
  }

  constructor(description: string, options?: ErrorOptions) {
    super(description, options);
    this.name = new.target.name;
    this.description = description;
  }
}

/** Whether `value` is an `ApiError`, recognised by its code. */
export function isApiError(value: unknown): value is ApiError {
  const code = (value as { code?: unknown } | null)?.code;
  return value instanceof Error && typeof code === 'string' && code.startsWith('ERR_API_');
}

/** 400 `invalid_request`: malformed JSON, or a body that does not match the route's shape. */
export class InvalidRequestError extends ApiError {
  readonly code = 'ERR_API_INVALID_REQUEST';
  readonly status = 400;
  readonly error = 'invalid_request';
}

/** 413 `invalid_request`: the body is larger than the route accepts. */
export class PayloadTooLargeError extends ApiError {
  readonly code = 'ERR_API_PAYLOAD_TOO_LARGE';
  readonly status = 413;
  readonly error = 'invalid_request';
}

/** 415 `invalid_request`: the body is not `application/json` (UTF-8, no content coding). */
export class UnsupportedMediaTypeError extends ApiError {
  readonly code = 'ERR_API_UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
  readonly error = 'invalid_request';
}

/** 404 `not_found`: no such route or resource. */
export class NotFoundError extends ApiError {
  readonly code = 'ERR_API_NOT_FOUND';
  readonly status = 404;
  readonly error = 'not_found';
}

/** 405 `method_not_allowed`: the route exists, the method does not (`Allow` lists those that do). */
export class MethodNotAllowedError extends ApiError {
  readonly code = 'ERR_API_METHOD_NOT_ALLOWED';
  readonly status = 405;
  readonly error = 'method_not_allowed';

  constructor() {
    super('this method is not allowed on this route');
  }
}

/** 501 `not_implemented`: an HTTP method this API does not implement at all. */
export class NotImplementedError extends ApiError {
  readonly code = 'ERR_API_NOT_IMPLEMENTED';
  readonly status = 501;
  readonly error = 'not_implemented';

  constructor() {
    super('this method is not implemented');
  }
}

/** 500 `server_error`: anything unexpected; the cause is logged, never sent. */
export class ServerError extends ApiError {
  readonly code = 'ERR_API_SERVER_ERROR';
  readonly status = 500;
  readonly error = 'server_error';

  constructor(options?: ErrorOptions) {
    super('internal server error', options);
  }
}
