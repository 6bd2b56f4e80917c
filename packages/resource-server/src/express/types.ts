import type { NextFunction, Request, Response } from 'express';
import type { AuthContext } from '../types.ts';

/** `res.locals` after required authentication: type a handler with it (`Response<unknown, AuthenticatedLocals>`). */
export interface AuthenticatedLocals {
  auth: AuthContext;
}

/** `res.locals` after optional authentication: `auth` is set only when a token was presented. */
export interface OptionalAuthLocals {
  auth?: AuthContext;
}

/** An Express middleware of this package; it writes `res.locals` of type `L`. */
export type ExpressMiddleware<L extends object = OptionalAuthLocals> = (
  req: Request,
  res: Response<unknown, L>,
  next: NextFunction,
) => void;

/** The response of a handler after required authentication: `res.locals.auth` is set. */
export type AuthenticatedResponse = Response<unknown, AuthenticatedLocals>;

/** The response of a handler after optional authentication: `res.locals.auth` may be unset. */
export type OptionalAuthResponse = Response<unknown, OptionalAuthLocals>;
