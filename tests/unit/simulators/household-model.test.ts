import { describe, expect, it } from "vitest";
import { type LocalDay, localDay, nextLocalDay } from "../../../core/local-time.js";
import { litersBetween } from "../../../simulators/events.js";
import { type DayPlan, NO_MODIFIERS, planDay } from "../../../simulators/household-model.js";
import { drawPerson, type PersonParams } from "../../../simulators/person.js";
import { createRng } from "../../../simulators/random.js";

const TZ = "Asia/Shanghai";

function days(person: PersonParams, seed: string, year: number, month: number, n: number): DayPlan[] {
  const out: DayPlan[] = [];
  let d: LocalDay = localDay(TZ, year, month, 1);
  for (let i = 0; i < n; i++) {
    out.push(planDay(person, d, createRng(seed).fork(d.key), NO_MODIFIERS, i * 10_000));
    d = nextLocalDay(TZ, d);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const dailyLiters = (p: DayPlan) => litersBetween(p.events, p.day.start, p.day.end + 12 * 3_600_000);

describe("household model", () => {
  const people = Array.from({ length: 40 }, (_, i) => ({
    seed: `p${i}`,
    person: drawPerson(createRng(`p${i}`)),
  }));

  it("keeps each person's daily water within the documented ranges (docs/simulators.md)", () => {
    for (const month of [1, 7]) {
      const personMeans = people.map(({ seed, person }) => {
        const totals = days(person, seed, 2025, month, 28).map(dailyLiters);
        for (const t of totals) expect(t).toBeGreaterThan(20);
        for (const t of totals) expect(t).toBeLessThan(320);
        return mean(totals);
      });
      for (const m of personMeans) {
        expect(m).toBeGreaterThanOrEqual(60);
        expect(m).toBeLessThanOrEqual(200);
      }
      const population = mean(personMeans);
      expect(population).toBeGreaterThanOrEqual(month === 1 ? 85 : 100);
      expect(population).toBeLessThanOrEqual(month === 1 ? 125 : 150);
    }
  });

  it("uses more water in summer than in winter (showers)", () => {
    const total = (month: number) =>
      mean(people.flatMap(({ seed, person }) => days(person, seed, 2025, month, 28).map(dailyLiters)));
    expect(total(7)).toBeGreaterThan(total(1) * 1.08);
  });

  it("wakes around 06:30 with day-to-day jitter, and the first water use follows within minutes", () => {
    const medians: number[] = [];
    for (const { seed, person } of people) {
      const plans = days(person, seed, 2025, 4, 42);
      const wakes = plans.map((p) => p.wakeMin);
      expect(sd(wakes)).toBeGreaterThan(5);
      expect(sd(wakes)).toBeLessThan(40);
      for (const p of plans) {
        const wakeAt = p.day.at(p.wakeMin);
        const first = p.events.find((e) => e.type === "water" && e.start >= wakeAt);
        expect(first).toBeDefined();
        const lag = ((first?.type === "water" ? first.start : 0) - wakeAt) / 60_000;
        expect(lag).toBeGreaterThan(1);
        expect(lag).toBeLessThan(10);
      }
      medians.push([...wakes].sort((a, b) => a - b)[21] ?? 0);
    }
    const population = [...medians].sort((a, b) => a - b);
    expect(population[20]).toBeGreaterThan(360);
    expect(population[20]).toBeLessThan(420);
    expect(sd(medians)).toBeGreaterThan(10);
  });

  it("showers every day or two, 40–60 L typical, at the person's preferred time of day", () => {
    let eveningPeople = 0;
    for (const { seed, person } of people) {
      const plans = days(person, seed, 2025, 4, 42);
      const showers = plans.flatMap((p) =>
        p.events.filter((e) => e.type === "water" && e.fixture === "shower"),
      );
      expect(showers.length).toBeGreaterThanOrEqual(10);
      expect(showers.length).toBeLessThanOrEqual(42);
      const liters = showers.map((s) => (s.type === "water" ? s.liters : 0)).sort((a, b) => a - b);
      const median = liters[liters.length >> 1] ?? 0;
      expect(median).toBeGreaterThan(30);
      expect(median).toBeLessThan(75);
      const hours = showers.map((s) =>
        new Date((s.type === "water" ? s.start : 0) + 8 * 3_600_000).getUTCHours(),
      );
      const evening = hours.filter((h) => h >= 17).length / hours.length;
      if (person.showerEvening) {
        eveningPeople++;
        expect(evening).toBeGreaterThan(0.9);
      } else expect(evening).toBeLessThan(0.1);
    }
    expect(eveningPeople).toBeGreaterThan(10);
    expect(eveningPeople).toBeLessThan(38);
  });

  it("has no water use while the person is out, and doors open and close in pairs", () => {
    for (const { seed, person } of people.slice(0, 10)) {
      for (const p of days(person, seed, 2025, 5, 14)) {
        const doors = p.events.filter((e) => e.type === "door");
        expect(doors.length % 4).toBe(0);
        for (let i = 0; i < doors.length; i += 4) {
          const leave = doors[i + 1];
          const back = doors[i + 2];
          if (leave?.type !== "door" || back?.type !== "door") throw new Error("door cycle incomplete");
          expect(litersBetween(p.events, leave.ts, back.ts)).toBe(0);
        }
      }
    }
  });

  it("is deterministic: the same seed and day give the same events", () => {
    const person = drawPerson(createRng("same"));
    const events = (seed: string) => days(person, seed, 2025, 3, 3).map((p) => p.events);
    expect(events("same")).toEqual(events("same"));
    expect(events("same")).not.toEqual(events("other"));
  });
});
