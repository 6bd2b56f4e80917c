import { homePage } from '../views/home-page.ts';
import { behindBoundary, pageBoundary, render } from './respond.ts';

/** `GET /`: a small page saying what this server is, linking the account page and discovery. */
export const showHome = behindBoundary(pageBoundary())((ctx) => render(ctx, 200, homePage()));
