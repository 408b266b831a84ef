import { describe, expect, it } from "vitest";
import { createDeadlineScheduler } from "../../../alerts/deadline-scheduler.js";
import { createManualClock } from "../../../core/clock.js";

describe("deadline scheduler", () => {
  it("fires each key once at its latest deadline, in time order", () => {
    const clock = createManualClock(0);
    const fired: [string, number, number][] = [];
    const s = createDeadlineScheduler(clock, (key, at) => fired.push([key, at, clock.now()]));
    s.schedule("a", 300);
    s.schedule("b", 100);
    s.schedule("c", 200);
    s.schedule("a", 150); // replaces 300
    s.schedule("c", null); // removed
    clock.advanceTo(1000);
    expect(fired).toEqual([
      ["b", 100, 100],
      ["a", 150, 150],
    ]);
    expect(s.size()).toBe(0);
  });

  it("lets a handler schedule the next deadline of the same key", () => {
    const clock = createManualClock(0);
    const fired: number[] = [];
    const s = createDeadlineScheduler(clock, (key, at) => {
      fired.push(at);
      if (at < 300) s.schedule(key, at + 100);
    });
    s.schedule("home", 100);
    clock.advanceTo(1000);
    expect(fired).toEqual([100, 200, 300]);
  });

  it("holds 100,000 homes on one timer and fires them all in order", () => {
    const clock = createManualClock(0);
    let last = -1;
    let count = 0;
    let outOfOrder = 0;
    const s = createDeadlineScheduler(clock, (_key, at) => {
      if (at < last) outOfOrder++;
      last = at;
      count++;
    });
    for (let i = 0; i < 100_000; i++) s.schedule(`h${i}`, ((i * 7919) % 86_400) * 1000);
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceTo(86_400_000);
    expect(count).toBe(100_000);
    expect(outOfOrder).toBe(0);
  });
});
