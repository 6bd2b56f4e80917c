import type { Context } from 'koa';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';

function readRawBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const { req } = ctx;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    // Once over the limit, stop collecting; Node discards the rest of the body after the
    // response, and the server's requestTimeout bounds how long that can last.
    function onData(chunk: Buffer) {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        reject(new PayloadTooLargeError(`the request body must be at most ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd() {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    }
    function onError(cause: Error) {
      cleanup();
      reject(new InvalidRequestError('the request body could not be read', { cause }));
    }
    function onClose() {
      cleanup();
      reject(new InvalidRequestError('the request body was not received completely'));
    }
    // The client may have gone while authentication ran: 'close' will not fire again.
    if (req.destroyed) {
      reject(new InvalidRequestError('the request body was not received completely'));
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Reads and parses a JSON request body without a body-parser dependency: `Content-Type` must be
 * `application/json` (charset, if given, `utf-8`) with no content coding (else 415); the body is
 * capped at `limitBytes`, checked against `Content-Length` first and then while streaming
 * (else 413); it must be valid UTF-8 and valid JSON (else 400).
 *
 * @example
 * const body = await readJsonBody(ctx, 64 * 1024);
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const charset = ctx.request.charset.toLowerCase();
  const encoding = (ctx.get('Content-Encoding') || 'identity').toLowerCase();
  if (
    ctx.request.type.trim().toLowerCase() !== 'application/json' ||
    (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') ||
    encoding !== 'identity'
  ) {
    throw new UnsupportedMediaTypeError('the request body must be application/json (UTF-8)');
  }
  const declared = ctx.get('Content-Length');
  if (declared !== '' && Number(declared) > limitBytes) {
    throw new PayloadTooLargeError(`the request body must be at most ${limitBytes} bytes`);
  }
  const raw = await readRawBody(ctx, limitBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw);
  } catch {
    throw new InvalidRequestError('the request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('the request body is not valid JSON');
  }
}
