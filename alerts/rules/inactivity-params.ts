import { z } from "zod";

/**
 * Inactivity defaults and why.
 * - alpha 0.003: tail share per local hour. A day offers a dozen or so loosely independent chances
 *   to exceed an hourly quantile, so this aims at about 0.1 sub-ceiling false alarms a month for a
 *   regular person (a synthetic check, not a real home). More speed costs false alarms: docs/detection.md.
 * - margin 30 min: a quantile read from 15-minute samples is itself ±15 min.
 * - minGap 2 h: a single person often goes two hours without water in the middle of the day.
 * - ceiling 12 h: the issue's safety net, whatever was learned (the deployed programmes' window).
 * - prior: deliberately conservative, 11 h 30 min at every hour (+ margin = the 12 h ceiling), so
 *   a new home is judged by the ceiling alone until its own routine is known. A generic day limit
 *   (4 h 30 min, as before) raised alerts in the first days for ordinary people who go to market
 *   or lunch at the canteen (simulator neighbourhood): each one a false alarm to a worker. Used
 *   alone for the first `minLearnDays` days, then blended linearly into the learned thresholds,
 *   fully learned at `priorDays` (28). With 3 → 14 days (before) the learned
 *   quantile of one or two weeks, which is little more than the longest gap seen, raised about one
 *   alert per home-fortnight in days 6–14 on the simulator's neighbourhood.
 * - wake: 97th percentile of the first use after the night, plus 45 min.
 * - learnMaxGap 12 h (= ceiling): longer gaps alarm at the ceiling whatever is learned, so letting
 *   them into the quantiles would only slow every other detection (measured: 10.7 h → 8.8 h median).
 * - extrapolate 20 min: a live meter reports every 15 min when idle and at once on flow, so 20 min
 *   of silence after its last reading still means "no water"; beyond that it is "no data".
 * - out (door sensor; inactivity-out.ts): the 98th percentile of this home's outings, door to
 *   return, + 30 min. One test per outing, so 0.02 is about one false alarm per 50 outings; until
 *   8 outings are known, an outing is judged by the ceiling alone (conservative, like the prior).
 */
export const inactivityParamsSchema = z.object({
  alpha: z.number().min(0.0001).max(0.2),
  marginMin: z.number().min(0).max(240),
  minGapMin: z.number().min(30).max(720),
  ceilingHours: z.number().min(2).max(48),
  priorDays: z.number().min(1).max(90),
  minLearnDays: z.number().min(0).max(30),
  priorThresholdMin: z.array(z.number().min(30).max(2880)).length(24),
  wakeQuantile: z.number().min(0.5).max(0.999),
  wakeMarginMin: z.number().min(0).max(240),
  wakeMinDays: z.number().min(1).max(60),
  useMinLiters: z.number().min(0.05).max(20),
  learnMaxGapHours: z.number().min(4).max(72),
  decayPerDay: z.number().min(0.8).max(1),
  extrapolateMin: z.number().min(0).max(720),
  outAlpha: z.number().min(0.001).max(0.5),
  outMarginMin: z.number().min(0).max(240),
  outMinSamples: z.number().min(1).max(100),
});
export type InactivityParams = z.infer<typeof inactivityParamsSchema>;

export const inactivityDefaults: InactivityParams = {
  alpha: 0.003,
  marginMin: 30,
  minGapMin: 120,
  ceilingHours: 12,
  priorDays: 28,
  minLearnDays: 7,
  priorThresholdMin: new Array<number>(24).fill(690),
  wakeQuantile: 0.97,
  wakeMarginMin: 45,
  wakeMinDays: 10,
  useMinLiters: 0.3,
  learnMaxGapHours: 12,
  decayPerDay: 0.98,
  extrapolateMin: 20,
  outAlpha: 0.02,
  outMarginMin: 30,
  outMinSamples: 8,
};
