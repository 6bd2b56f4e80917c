export { type Stack, startStack } from './stack.ts';
