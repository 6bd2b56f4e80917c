import { readFile, stat } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { CliError } from '../errors.ts';
import type { Io } from '../runtime.ts';

/** The largest file `apply` reads: 1 MiB. */
const MAX_DECLARATION_BYTES = 1024 * 1024;

/** A parsed declaration file: its content and where each value came from. */
export interface DeclarationSource {
  /** How the file is named in messages: its path, or `stdin`. */
  name: string;
  /** The file's content as plain data (YAML and JSON alike). */
  value: unknown;
  /** The line of the value at `path`, or of the nearest enclosing value the file has. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

async function readStdin(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_DECLARATION_BYTES) throw new CliError('stdin is larger than 1 MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readPath(file: string): Promise<string> {
  const stats = await stat(file).catch(() => undefined);
  if (stats === undefined) throw new CliError(`cannot read ${file}: no such file`);
  if (!stats.isFile()) throw new CliError(`${file} is not a file`);
  if (stats.size > MAX_DECLARATION_BYTES) throw new CliError(`${file} is larger than 1 MiB`);
  return readFile(file, 'utf8');
}

/**
 * Reads a declaration from `file` (`-`: stdin) and parses it as YAML 1.2 with the core schema,
 * which reads JSON too (`yes` stays a string, no dates). Duplicate keys, several documents in one
 * file, unknown tags and syntax errors are refused with their line.
 *
 * @example
 * const source = await readDeclaration(io, 'portcullis.yaml');
 * source.lineOf(['clients', 0, 'name']); // 12
 */
export async function readDeclaration(io: Io, file: string): Promise<DeclarationSource> {
  const name = file === '-' ? 'stdin' : file;
  const text = file === '-' ? await readStdin(io) : await readPath(file);
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: true,
    strict: true,
  });
  const [problem] = [...document.errors, ...document.warnings];
  if (problem) {
    const where = problem.linePos ? `:${problem.linePos[0].line}:${problem.linePos[0].col}` : '';
    const what = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new CliError(`${name}${where}: ${what}`);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new CliError(`${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    name,
    value,
    lineOf(path) {
      // A key's own line: where an unknown or wrongly typed key is written.
      const parent = path.length === 0 ? undefined : document.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1));
        if (isNode(pair?.key) && pair.key.range) return lines.linePos(pair.key.range[0]).line;
      }
      for (let depth = path.length; depth >= 0; depth -= 1) {
        const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}
