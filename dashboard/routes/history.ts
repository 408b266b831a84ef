import type {
  FastifyContextConfig,
  FastifyPluginAsync,
  FastifyRequest,
  preHandlerHookHandler,
} from "fastify";
import { z } from "zod";
import type { ReadingKind } from "../../core/domain.js";
import { deviceIdSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import type { NormalBand, NormalWindow } from "./water-normal.js";

/** A reading as history returns it (both stores can answer this; ids and receive times stay in SQLite). */
export interface HistoryReading {
  deviceId: string;
  householdId: string;
  kind: ReadingKind;
  ts: number;
  fields: Record<string, number | boolean>;
  consumedLiters: number | null;
  registerReset: boolean;
}

/** One interval of water use; `start` is a UTC epoch multiple of `everyMs`. */
export interface WaterBucket {
  start: number;
  /**
   * Litres used in the interval (sum of the consumption derived for its readings); null when the
   * interval holds no water reading at all, which is not the same as 0 (the meter reported, no use).
   */
  liters: number | null;
  /** Water readings in the interval. */
  readings: number;
}

export interface TimeWindow {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

/** What the dashboard needs from the reading history; SQLite and InfluxDB implement it (same contract tests). */
export interface ReadingHistory {
  /** Every bucket from floor(from / every) * every up to `to`, zeros and empty buckets included. */
  waterUse(householdId: string, window: TimeWindow & { everyMs: number }): Promise<WaterBucket[]>;
  /** The last reading of each kind per device of the household, ordered by device, then kind. */
  latest(householdId: string): Promise<HistoryReading[]>;
  /** A device's readings with from ≤ ts < to, ordered by ts then kind, at most `limit`. */
  readings(deviceId: string, window: TimeWindow & { limit: number }): Promise<HistoryReading[]>;
  /**
   * The home's usual use per interval of the window, learned from its own 28 days before `from`
   * (`normalBandFrom` in water-normal.ts says how); an empty band before 7 days with data.
   */
  waterNormal(householdId: string, window: NormalWindow): Promise<NormalBand>;
}

/** Buckets with data merged into the full list of intervals. */
export function fillBuckets(
  window: TimeWindow & { everyMs: number },
  found: Iterable<WaterBucket>,
): WaterBucket[] {
  const byStart = new Map<number, WaterBucket>();
  for (const b of found) byStart.set(b.start, b);
  const out: WaterBucket[] = [];
  const first = Math.floor(window.from / window.everyMs) * window.everyMs;
  for (let start = first; start < window.to; start += window.everyMs)
    out.push(byStart.get(start) ?? { start, liters: null, readings: 0 });
  return out;
}

export const MAX_BUCKETS = 10_000;
const UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const instant = z
  .union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const duration = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, "every: a number and a unit s, m, h or d (e.g. 15m, 1h, 1d)")
  .transform((v) => Number(v.slice(0, -1)) * UNITS_MS[v.slice(-1) as keyof typeof UNITS_MS]);
const householdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/) });
const deviceParams = z.object({ id: deviceIdSchema });
const windowQuery = z.object({ from: instant.optional(), to: instant.optional() });
const waterQuery = windowQuery.extend({ every: duration.default(3_600_000) });
const DAY_MS = 86_400_000;
const normalQuery = windowQuery.extend({
  every: duration
    .default(3_600_000)
    .refine((v) => v >= 900_000 && DAY_MS % v === 0, "every: from 15m to 1d, dividing a day (e.g. 15m, 1h)"),
});
const readingsQuery = windowQuery.extend({
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw jinlinError(
      "JINLIN_ERR_INPUT_INVALID",
      r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "),
    );
  return r.data;
}

function window(q: { from?: number; to?: number }, now: number, defaultSpanMs: number): TimeWindow {
  const to = q.to ?? now;
  const from = q.from ?? to - defaultSpanMs;
  if (from >= to) throw jinlinError("JINLIN_ERR_INPUT_INVALID", "from must be before to");
  return { from, to };
}

export interface HistoryRoutesOptions {
  history: ReadingHistory;
  /** The household exists and the caller may see it; false answers 404 either way, so ids cannot be probed. */
  canSeeHousehold(id: string, req: FastifyRequest): boolean;
  canSeeDevice(id: string, req: FastifyRequest): boolean;
  /** The household's IANA time zone (the normal band is learned per local hour); Asia/Shanghai if unknown. */
  householdTimeZone?(id: string): string | undefined;
  now?: () => number;
  /** Runs before every route here: authentication plugs in without touching the handlers. */
  preHandler?: preHandlerHookHandler[];
  /** Route config for every route here, e.g. `{ roles }` read by the dashboard's session guard. */
  routeConfig?: FastifyContextConfig;
}

/**
 * GET /api/households/:id/water, /api/households/:id/water/normal, /api/households/:id/latest and
 * /api/devices/:id/readings.
 */
export const historyRoutes: FastifyPluginAsync<HistoryRoutesOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  for (const hook of opts.preHandler ?? []) app.addHook("preHandler", hook);

  app.get(
    "/api/households/:id/water",
    { config: opts.routeConfig ?? {}, schema: { description: "Water use per interval (litres)" } },
    async (req) => {
      const { id } = parse(householdParams, req.params);
      const q = parse(waterQuery, req.query);
      if (!opts.canSeeHousehold(id, req)) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", id);
      const w = window(q, now(), 86_400_000);
      if ((w.to - w.from) / q.every > MAX_BUCKETS)
        throw jinlinError("JINLIN_ERR_INPUT_INVALID", `at most ${MAX_BUCKETS} intervals per request`);
      const buckets = await opts.history.waterUse(id, { ...w, everyMs: q.every });
      return { householdId: id, from: w.from, to: w.to, everyMs: q.every, unit: "L", buckets };
    },
  );

  app.get(
    "/api/households/:id/water/normal",
    {
      config: opts.routeConfig ?? {},
      schema: { description: "The home's usual water use per interval (p10–p90 of its last 28 days)" },
    },
    async (req) => {
      const { id } = parse(householdParams, req.params);
      const q = parse(normalQuery, req.query);
      if (!opts.canSeeHousehold(id, req)) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", id);
      const w = window(q, now(), DAY_MS);
      if ((w.to - w.from) / q.every > MAX_BUCKETS)
        throw jinlinError("JINLIN_ERR_INPUT_INVALID", `at most ${MAX_BUCKETS} intervals per request`);
      const timeZone = opts.householdTimeZone?.(id) ?? "Asia/Shanghai";
      const normal = await opts.history.waterNormal(id, { ...w, everyMs: q.every, timeZone });
      return {
        householdId: id,
        from: w.from,
        to: w.to,
        everyMs: q.every,
        timezone: timeZone,
        unit: "L",
        ...normal,
      };
    },
  );

  app.get(
    "/api/households/:id/latest",
    { config: opts.routeConfig ?? {}, schema: { description: "Last reading per device" } },
    async (req) => {
      const { id } = parse(householdParams, req.params);
      if (!opts.canSeeHousehold(id, req)) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", id);
      return { householdId: id, readings: await opts.history.latest(id) };
    },
  );

  app.get(
    "/api/devices/:id/readings",
    { config: opts.routeConfig ?? {}, schema: { description: "A device's readings in a window" } },
    async (req) => {
      const { id } = parse(deviceParams, req.params);
      const q = parse(readingsQuery, req.query);
      if (!opts.canSeeDevice(id, req)) throw jinlinError("JINLIN_ERR_DEVICE_NOT_FOUND", id);
      const w = window(q, now(), 86_400_000);
      return {
        deviceId: id,
        from: w.from,
        to: w.to,
        readings: await opts.history.readings(id, { ...w, limit: q.limit }),
      };
    },
  );
};
