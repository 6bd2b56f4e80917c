import type Koa from 'koa';

/** A request on one of our routes: Koa's context with the path's parameters (`:uid` → `uid`). */
export type RouteContext = Koa.Context & { params: Record<string, string> };

/** What answers a request on one route (its middleware, such as the page boundary, included). */
export type RouteHandler = (ctx: RouteContext, next: Koa.Next) => unknown;

/** One route of the host app: a line of the route table (route-table.ts). */
export interface HostRoute {
  /**
   * The route's fixed name: a metrics label and the access line's `route`. The routes of one
   * path (`GET` and `POST` of the same form) share it.
   */
  name: string;
  /** `GET` answers `HEAD` too. */
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * The path as a template, `:name` standing for one segment. The access line shows it instead
   * of the path: ids in paths (an interaction's uid is also its cookie's value) are never logged.
   */
  path: string;
  handler: RouteHandler;
}
