// The public API of @portcullis/example-api.
export { catalogue } from './catalogue.ts';
export {
  createExampleApi,
  type ExampleApiDpop,
  type ExampleApiOptions,
  type ExampleApp,
} from './create-example-api.ts';
export {
  type RunningExampleApi,
  type StartExampleApiOptions,
  startExampleApi,
} from './start-example-api.ts';
