// Unknown fields. The schemas of kubernetes-models, like Kubernetes' own OpenAPI, let objects
// carry fields they do not define, whereas `kubectl apply` refuses them (strict field validation,
// its default since 1.27), and a misspelt field would otherwise be silently dropped. So every
// object is also checked against the TypeScript interfaces of the same package: each is written,
// in memory, as an object literal of its kind's type, and TypeScript reports the properties that
// type does not have (its excess-property check).
import path from 'node:path';
import ts from 'typescript';
import { describe, type K8sObject } from './objects.ts';

// Inside this package, so that the type imports resolve to its node_modules. Never written.
const FILE = path.join(import.meta.dirname, '__rendered__.ts');
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};
// "Object literal may only specify known properties" (2353), with "did you mean" (2561).
const EXCESS_PROPERTY = new Set([2353, 2561]);
// The declaration files, parsed once for every check of a run.
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Fields that the object's kind does not have, one line each (the first of each object). */
export function unknownFieldProblems(objects: readonly K8sObject[]): string[] {
  const text = objects
    .map(
      (object, index) => `export const o${index}: ${typeOf(object)} = ${JSON.stringify(object)};`,
    )
    .join('\n');
  const host = ts.createCompilerHost(OPTIONS);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    if (name === FILE) return ts.createSourceFile(name, text, language);
    if (!parsed.has(name)) parsed.set(name, read(name, language, ...rest));
    return parsed.get(name);
  };
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === FILE || exists(name);
  const program = ts.createProgram([FILE], OPTIONS, host);
  const problems: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file?.fileName !== FILE) continue;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const object = objects[line];
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!object) problems.push(`unknown fields: ${message}`);
    else if (EXCESS_PROPERTY.has(diagnostic.code)) {
      problems.push(`${describe(object)}: unknown field: ${message}`);
    } else if (diagnostic.code === 2307) {
      // A kind without a model: schemaProblems says so already.
    } else {
      problems.push(`${describe(object)}: type check: ${message}`);
    }
  }
  return problems;
}

// `import('kubernetes-models/apps/v1/Deployment').IDeployment`, and the Prometheus Operator's.
function typeOf(object: K8sObject): string {
  const apiVersion = object.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
  return `import('${module}').I${object.kind}`;
}
