import type { FastifyInstance } from "fastify";
import type { PasswordCheck } from "../auth/passwords.js";
import type { Scope } from "../auth/scope.js";
import type { Sessions } from "../auth/session.js";
import type { AuthOptions, DashboardDeps, Role } from "../auth/types.js";

/** What every route module gets: the dependencies, the options and the auth helpers built once. */
export interface RouteCtx {
  deps: DashboardDeps;
  opts: AuthOptions;
  scope: Scope;
  sessions: Sessions;
  passwords: PasswordCheck;
}

export type RouteModule = (app: FastifyInstance, ctx: RouteCtx) => void;

export const ALL_ROLES: readonly Role[] = ["operator", "worker", "family"];
export const CARERS: readonly Role[] = ["operator", "worker"];
export const OPERATOR: readonly Role[] = ["operator"];
export const FAMILY: readonly Role[] = ["family"];

/** The public view of an account: never the hash, the lockout counters or the session. */
export function accountView(a: {
  id: string;
  name: string;
  role: Role;
  login: string | null;
  email: string | null;
  phone: string | null;
  language: string;
  disabled?: boolean;
}) {
  return {
    id: a.id,
    name: a.name,
    role: a.role,
    login: a.login,
    email: a.email,
    phone: a.phone,
    language: a.language,
    disabled: a.disabled ?? false,
  };
}
