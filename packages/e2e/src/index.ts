export { freePort, type Stack, startStack } from './stack.ts';
