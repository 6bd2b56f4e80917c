export { formAction, HttpBrowser, inputValue } from './http-browser.ts';
export { type Stack, startStack } from './stack.ts';
