export { createProgram, run } from './program.ts';
export type { Io } from './runtime.ts';
