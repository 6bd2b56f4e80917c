// Preloaded (`node --import`) into a server the benchmark starts, to run it as production runs
// it: the workspace packages' compiled JavaScript (`pnpm build`, each package's dist/) instead of
// their TypeScript sources, which Node would strip of types at run time (the stripper alone holds
// about 17 MiB). Plain JavaScript, so that preloading it loads no TypeScript.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';

const source = /\/packages\/([^/]+)\/src\/(.+)\.ts$/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const match = source.exec(resolved.url);
    if (!match) return resolved;
    const built = resolved.url.replace(source, '/packages/$1/dist/$2.js');
    if (!existsSync(new URL(built))) {
      throw new Error(`${built} is missing: run \`pnpm build\` first`);
    }
    return { ...resolved, url: built };
  },
});
