// The guides print code that runs: every ```ts or ```typescript block of them must appear, after
// trimming, verbatim in notes-api.ts (which type-checks, and protect-a-koa-api.test.ts runs). A
// guide edited without the code, or code changed without the guide, fails here.
import { readFile } from 'node:fs/promises';
import test from 'ava';

const guides = ['docs/guides/protect-a-node-api.md', 'docs/guides/from-django-rest-framework.md'];
const root = new URL('../../../../', import.meta.url);
const code = await readFile(new URL('notes-api.ts', import.meta.url), 'utf8');

interface Block {
  /** The info string's first word, lower-cased: `ts`, `sh`, `json`, ... */
  readonly language: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** Fenced code blocks (CommonMark: ``` or ~~~, indented at most 3 spaces). */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close !== null && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(lines[j]!);
    }
    if (j === lines.length) throw new Error(`unclosed code fence at line ${i + 1}`);
    blocks.push({ language: open[2]!.toLowerCase(), text: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

const typescript = new Set(['ts', 'typescript']);

test('the fence reader finds blocks, their language and their text', (t) => {
  const markdown = ['text', '```ts', 'const a = 1;', '', '```', '~~~~ TypeScript x', 'b', '~~~~'];
  t.deepEqual(fencedBlocks(markdown.join('\n')), [
    { language: 'ts', text: 'const a = 1;\n', line: 2 },
    { language: 'typescript', text: 'b', line: 6 },
  ]);
  t.throws(() => fencedBlocks('```ts\nopen'), { message: /unclosed code fence at line 1/ });
});

for (const guide of guides) {
  test(`every TypeScript block of ${guide} is code of notes-api.ts`, async (t) => {
    const blocks = fencedBlocks(await readFile(new URL(guide, root), 'utf8'));
    const snippets = blocks.filter((block) => typescript.has(block.language));
    t.true(snippets.length >= 5, 'the guide shows its code');
    for (const { text, line } of snippets) {
      const snippet = text.trim();
      t.not(snippet, '', `${guide}:${line}: empty block`);
      t.true(
        code.includes(snippet),
        `${guide}:${line}: not found verbatim in notes-api.ts:\n${snippet.split('\n')[0]}`,
      );
    }
    // Code labelled otherwise would escape the check.
    const unchecked = blocks.filter((block) =>
      ['js', 'javascript', 'tsx', 'mts'].includes(block.language),
    );
    t.deepEqual(
      unchecked.map((block) => block.line),
      [],
      `${guide}: label code blocks ts`,
    );
  });
}
