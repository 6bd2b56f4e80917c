export { formAction, HttpBrowser, inputValue, submitForm } from './http-browser.ts';
export { type Stack, startStack } from './stack.ts';
