import type Koa from 'koa';
import { homePage } from '../views/home-page.ts';
import { pageBoundary, render } from './respond.ts';

const boundary = pageBoundary();

/** `GET /`: a small page saying what this server is, linking the account page and discovery. */
export function homeRoutes(): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    await boundary(ctx, async () => render(ctx, 200, homePage()));
  };
}
