import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDay, localToEpoch, zoneOffsetMs } from "../../../core/local-time.js";
import { createRng } from "../../../simulators/random.js";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("seeded random", () => {
  it("repeats for a seed, differs across seeds and across forks", () => {
    const seq = (seed: number | string) => Array.from({ length: 5 }, createRng(seed).next);
    expect(seq(1)).toEqual(seq(1));
    expect(seq("a")).toEqual(seq("a"));
    expect(seq(1)).not.toEqual(seq(2));
    const r = createRng(9);
    expect(Array.from({ length: 3 }, r.fork("x").next)).not.toEqual(
      Array.from({ length: 3 }, r.fork("y").next),
    );
  });

  it("draws normal, log-normal and Poisson with the asked-for moments", () => {
    const r = createRng("moments");
    const n = Array.from({ length: 20_000 }, () => r.normal(10, 2));
    expect(mean(n)).toBeCloseTo(10, 1);
    expect(Math.sqrt(mean(n.map((x) => (x - 10) ** 2)))).toBeCloseTo(2, 1);
    const ln = Array.from({ length: 20_001 }, () => r.lognormal(50, 0.2)).sort((a, b) => a - b);
    expect(ln[10_000]).toBeGreaterThan(49);
    expect(ln[10_000]).toBeLessThan(51);
    expect(mean(Array.from({ length: 20_000 }, () => r.poisson(3)))).toBeCloseTo(3, 1);
    const ints = Array.from({ length: 5_000 }, () => r.int(1, 3));
    expect(new Set(ints)).toEqual(new Set([1, 2, 3]));
  });

  it("is the only source of randomness: no Math.random or Date.now in simulators/", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
      });
    const sources = files(join(import.meta.dirname, "../../../simulators"));
    expect(sources.length).toBeGreaterThan(10);
    for (const f of sources)
      expect(readFileSync(f, "utf8")).not.toMatch(/Math\.random|Date\.now\(|new Date\(\)/);
  });
});

describe("local time", () => {
  it("converts through Intl, whatever the machine's zone", () => {
    expect(zoneOffsetMs("Asia/Shanghai", Date.UTC(2025, 0, 1))).toBe(8 * 3_600_000);
    expect(new Date(localToEpoch("Asia/Shanghai", 2025, 3, 1, 390)).toISOString()).toBe(
      "2025-02-28T22:30:00.000Z",
    );
    const d = localDay("Asia/Shanghai", 2025, 3, 3);
    expect(d.weekday).toBe(1);
    expect(d.end - d.start).toBe(86_400_000);
  });

  it("handles days with a DST change in zones that have one", () => {
    const spring = localDay("America/New_York", 2025, 3, 9);
    expect(spring.end - spring.start).toBe(23 * 3_600_000);
    expect(new Date(spring.at(7 * 60)).toISOString()).toBe("2025-03-09T11:00:00.000Z");
  });
});
