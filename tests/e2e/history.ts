import type { TestService } from "../helpers/service.js";

const MIN = 60_000;
const HOUR = 3_600_000;

/** A meter's register readings written straight to the store, as if the device had sent them. */
export function appendWater(
  svc: TestService,
  householdId: string,
  deviceId: string,
  points: { ts: number; totalLiters: number }[],
) {
  svc.stores.readings.append(
    points.map((p) => ({
      reading: { deviceId, kind: "water" as const, ts: p.ts, fields: { totalLiters: p.totalLiters } },
      householdId,
      receivedAt: p.ts,
    })),
  );
}

/**
 * A tap left running for `minutes` at 2 L/min, one reading a minute, ending at `endsAt`, after an
 * ordinary reading an hour before: longer than 30 min but shorter than the 57 min default, so only a
 * lower water-running threshold turns it into an alert.
 */
export function tapRun(endsAt: number, minutes = 45) {
  const start = endsAt - minutes * MIN;
  const points = [{ ts: start - HOUR, totalLiters: 1000 }];
  for (let m = 0; m <= minutes; m++) points.push({ ts: start + m * MIN, totalLiters: 1001 + 2 * m });
  return points;
}

/**
 * Hourly register readings from `from` to `to` using `litersPerHour(ts)` in the hour before each
 * reading: a home whose usual use the band can learn.
 */
export function hourly(from: number, to: number, litersPerHour: (ts: number) => number, startTotal = 500) {
  const points: { ts: number; totalLiters: number }[] = [];
  let total = startTotal;
  for (let ts = from; ts < to; ts += HOUR) {
    points.push({ ts, totalLiters: total });
    total += litersPerHour(ts);
  }
  return points;
}
