import type Koa from 'koa';

const LIMIT = 16 * 1024;

/** A form body could not be read; `status` says why (413 too large, 415 not a form). */
export class FormError extends Error {
  readonly code = 'form_invalid';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most 16 KiB. A field sent twice is an
 * error (as in oidc-provider), so a duplicated `decision` cannot be ambiguous.
 */
export async function readForm(ctx: Koa.Context): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new FormError(415, 'the form must be sent as application/x-www-form-urlencoded');
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > LIMIT) throw new FormError(413, 'the form is too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new FormError(413, 'the form is too large');
    chunks.push(chunk as Buffer);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
    if (Object.hasOwn(fields, name)) throw new FormError(400, `the field ${name} is repeated`);
    fields[name] = value;
  }
  return fields;
}
