/**
 * A cumulative register fed by timed draws (litres of water, watt-hours): the total at t counts each
 * draw pro rata, and the rate at t is the sum of draws running at t. Queries must move forward in time.
 */
export interface Draw {
  start: number;
  durationMs: number;
  amount: number;
}

export interface Accumulator {
  add(draws: readonly Draw[]): void;
  /** Total and rate (amount per minute) at t; t must not go backwards. */
  at(t: number): { total: number; ratePerMin: number };
}

export function createAccumulator(initial = 0): Accumulator {
  let pending: Draw[] = [];
  let active: Draw[] = [];
  let completed = initial;
  let sorted = true;
  return {
    add(draws) {
      for (const d of draws) if (d.amount > 0) pending.push(d);
      sorted = false;
    },
    at(t) {
      if (!sorted) {
        pending.sort((a, b) => a.start - b.start);
        sorted = true;
      }
      let i = 0;
      while (i < pending.length && (pending[i] as Draw).start <= t) active.push(pending[i++] as Draw);
      if (i > 0) pending = pending.slice(i);
      let partial = 0;
      let ratePerMin = 0;
      const still: Draw[] = [];
      for (const d of active) {
        const end = d.start + d.durationMs;
        if (end <= t || d.durationMs <= 0) completed += d.amount;
        else {
          still.push(d);
          partial += (d.amount * (t - d.start)) / d.durationMs;
          ratePerMin += (d.amount * 60_000) / d.durationMs;
        }
      }
      active = still;
      return { total: completed + partial, ratePerMin };
    },
  };
}
