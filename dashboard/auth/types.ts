import type { RouteOptions } from "fastify";
import type { AlertStore, ClearReason } from "../../alerts/alert-types.js";
import type { AlertLifecycle } from "../../alerts/lifecycle.js";
import type { Clock } from "../../core/clock.js";
import type { Account, AccountStore } from "../../storage/sqlite/accounts.js";
import type { DashboardReports } from "../../storage/sqlite/dashboard-reports.js";
import type { HouseholdsApiStore } from "../../storage/sqlite/households-api.js";
import type { PeopleStore, Role } from "../../storage/sqlite/people.js";
import type { Registry } from "../../storage/sqlite/registry.js";
import type { NotificationsApi } from "../routes/notifications.js";
import type { PrivacyApi } from "../routes/privacy.js";
import type { RulesApi } from "../routes/rules.js";

export type { Role };

/** The signed-in person behind a request. */
export interface Principal extends Account {
  /** sha256 of the session id: the id itself is never kept, logged or stored. */
  sessionHash: Buffer;
}

export interface AuthOptions {
  /** Cookie `Secure` flag: always, never, or when the request came over HTTPS. */
  secureCookies: boolean | "auto";
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** OWASP ASVS 2.2.1: lock after a handful of failures; 5 in 15 minutes here. */
  maxFailedLogins: number;
  lockoutMs: number;
  /** Per client address, on the sign-in and self-registration routes. */
  loginRateLimit: { max: number; windowMs: number };
  /** A device not heard from for this long counts as silent. */
  silentAfterMs: number;
}

export const DEFAULT_AUTH_OPTIONS: AuthOptions = {
  secureCookies: "auto",
  sessionIdleMs: 2 * 3_600_000,
  sessionMaxMs: 24 * 3_600_000,
  maxFailedLogins: 5,
  lockoutMs: 15 * 60_000,
  loginRateLimit: { max: 10, windowMs: 60_000 },
  silentAfterMs: 6 * 3_600_000,
};

/** What the dashboard API needs; the composition root passes the SQLite implementations in. */
export interface DashboardDeps {
  accounts: AccountStore;
  homes: HouseholdsApiStore;
  reports: DashboardReports;
  registry: Registry;
  people: PeopleStore;
  alerts: AlertStore;
  /** The service's lifecycle, so live listeners and escalation timers see every change. */
  lifecycle: Pick<AlertLifecycle, "acknowledge" | "onMyWay" | "resolve">;
  /** Closes the device's MQTT connections at once (revocation, rotation). */
  disconnectDevice(deviceId: string): number;
  /** Rule thresholds per scope and the backtest preview; without it the rules routes are not served. */
  rules?: RulesApi;
  /** The notification outbox (stats, list, retry of parked ones); without it those routes are not served. */
  notifications?: NotificationsApi;
  /** Export and erase of one household's data; without it those routes are not served. */
  privacy?: PrivacyApi;
  /**
   * A home's absences or rule settings changed: the rules engine picks them up at once. `absence`: a person
   * recorded (or moved) this absence; if it holds now, open "not seen" alerts are cleared for it.
   */
  homeChanged?(householdId: string, absence?: ClearReason): void;
  clock: Clock;
  options?: Partial<AuthOptions>;
  /** Sees every route as it is added (tests list them to check scope on each). */
  onRoute?(route: RouteOptions): void;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; a route without `roles` under /api/ must say `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
  }
}
