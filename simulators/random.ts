/**
 * Seeded pseudo-random numbers: same seed, same traffic. Nothing in simulators/ uses the global, unseeded generator.
 * mulberry32 (Tommy Ettinger, public domain): small and fast, period 2^32,
 * plenty for one home-day since every home and day gets its own stream. Streams are forked by label so adding a draw in one place does not shift
 * every number after it in unrelated places.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  normal(mean: number, sd: number): number;
  /** Log-normal given its median and the standard deviation of its logarithm. */
  lognormal(median: number, sigma: number): number;
  poisson(lambda: number): number;
  pick<T>(items: readonly T[]): T;
  /** An independent stream derived from this one's seed and a label. */
  fork(label: string | number): Rng;
  readonly seed: number;
}

/** 32-bit FNV-1a over the UTF-16 code units, then a murmur3 finaliser for avalanche. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${String(part)}\u0000`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRng(seed: number | string): Rng {
  const s = typeof seed === "number" && Number.isInteger(seed) ? seed >>> 0 : hashSeed(seed);
  const next = mulberry32(s);
  let spare: number | null = null;
  const standardNormal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    // Box–Muller; 1 - next() keeps the logarithm away from 0.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const rng: Rng = {
    seed: s,
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    normal: (mean, sd) => mean + sd * standardNormal(),
    lognormal: (median, sigma) => median * Math.exp(sigma * standardNormal()),
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(rng.normal(lambda, Math.sqrt(lambda))));
      // Knuth's multiplication method: fine for the small rates a household has.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError("pick from an empty list");
      return items[Math.floor(next() * items.length)] as T;
    },
    fork: (label) => createRng(hashSeed(s, label)),
  };
  return rng;
}

/** Clamps v into [min, max]. */
export function clamp(v: number, min: number, max: number): number {
  return Math.min(Math.max(v, min), max);
}
