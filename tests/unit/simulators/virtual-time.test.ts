import { describe, expect, it } from "vitest";
import { createManualClock, systemClock } from "../../../core/clock.js";
import type { SimMessage } from "../../../simulators/messages.js";
import { runSimulation } from "../../../simulators/run.js";
import { playStream } from "../../../simulators/virtual-time.js";

const day = { homes: 2, from: "2025-03-03T00:00:00+08:00", to: "2025-03-04T00:00:00+08:00", seed: 4 };
const settle = () => new Promise<void>((r) => setImmediate(r));

describe("virtual-time playback", () => {
  it("releases messages as a manual clock advances, at the speed factor", async () => {
    const msgs = [...runSimulation(day)];
    const start = msgs[0]?.ts ?? 0;
    const clock = createManualClock(1_000_000);
    const got: SimMessage[] = [];
    // 3600× : one simulated hour per wall second.
    const done = playStream(msgs, {
      clock,
      speed: 3600,
      simStart: start,
      onMessage: (m) => void got.push(m),
    });
    await settle();
    const dueBy = (wallMs: number) => msgs.filter((m) => (m.ts - start) / 3600 <= wallMs).length;
    expect(got.length).toBe(dueBy(0));
    clock.advanceBy(1_000);
    await settle();
    expect(got.length).toBe(dueBy(1_000));
    expect(got.at(-1)?.ts).toBeLessThanOrEqual(start + 3_600_000);
    clock.advanceBy(12_000);
    await settle();
    expect(got.length).toBe(dueBy(13_000));
    clock.advanceBy(24 * 1_000);
    expect(await done).toEqual({ played: msgs.length, aborted: false });
    expect(got).toEqual(msgs);
  });

  it("plays a day in well under a second of real time on the system clock, and can be aborted", async () => {
    const played = await playStream(runSimulation(day), {
      clock: systemClock,
      speed: 86_400 * 20,
      onMessage: () => {},
    });
    expect(played.played).toBeGreaterThan(500);
    const ac = new AbortController();
    let n = 0;
    const r = await playStream(runSimulation(day), {
      clock: systemClock,
      speed: 1,
      signal: ac.signal,
      onMessage: () => {
        n++;
        ac.abort();
      },
    });
    expect(r).toEqual({ played: 1, aborted: true });
    expect(n).toBe(1);
  });
});
