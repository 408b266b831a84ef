import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { createRuleSettingsStore } from "../../storage/sqlite/rule-settings.js";
import { inactivityRaise } from "../helpers/alerts.js";
import { httpClient } from "../helpers/http-client.js";
import { startTestService, type TestService } from "../helpers/service.js";
import { startWorld } from "./checkin-harness.js";

const DAY = 86_400_000;
let svc: TestService;
let op: ReturnType<typeof httpClient>;
let home: { householdId: string };
const clock = createManualClock(Date.parse("2026-03-10T02:00:00Z"));

beforeAll(async () => {
  svc = await startTestService({}, clock);
  await createAccount(
    {
      people: createPeopleStore(svc.stores.db, Date.now),
      accounts: createAccountStore(svc.stores.db, Date.now),
      transaction: (fn) => svc.stores.db.transaction(fn)(),
    },
    { role: "operator", login: "operator", name: "Operator", password: "operator-password-1" },
  );
  op = httpClient(`http://127.0.0.1:${svc.httpPort}`);
  home = await svc.provision("water");
});
afterAll(async () => {
  await svc.stop();
});

interface Layer {
  source: string;
  reason: string;
  params: { inactivity?: { ceilingHours?: number } };
}
interface History {
  source: string;
  params: unknown;
  reason: string;
  changedBy: string;
  changedAt: number;
}

/** What an operator sees on the home's rules page: the layers in force and the history of changes. */
async function rules() {
  expect((await op.login("operator", "operator-password-1")).status).toBe(200);
  const r = await op.request("GET", `/api/households/${home.householdId}/rules`);
  expect(r.status).toBe(200);
  const learned = (r.body.layers as Layer[]).find((l) => l.source === "learned");
  const history = (r.body.history as History[]).filter((h) => h.source === "learned");
  const effective = r.body.effective as { inactivity: { ceilingHours: number } };
  return { learned, history, ceiling: effective.inactivity.ceilingHours };
}

describe("learned limits fade on a daily timer, with no new alert at the home", () => {
  it("steps back as false alarms age past 60 days, then drops the layer, each change recorded with its reason", async () => {
    const first = clock.now();
    for (let i = 0; i < 4; i++) {
      const [alert] = svc.alerts.apply(home.householdId, [inactivityRaise(clock.now(), "ceiling", 720)]);
      svc.alerts.resolve(alert!.id, "worker-1", "false_alarm_other", null);
      clock.advanceBy(DAY);
    }
    const learnt = await rules();
    expect(learnt.learned?.params.inactivity?.ceilingHours).toBe(16);
    expect(learnt.ceiling).toBe(16);

    // 60 days after the first false alarm (the next daily run) only three are left: one step back.
    clock.advanceTo(first + 60 * DAY + 3_600_000);
    const stepped = await rules();
    expect(stepped.learned?.params.inactivity?.ceilingHours).toBe(14);
    expect(stepped.learned?.reason).toMatch(/3 false alarms at the 12 h limit/);
    expect(stepped.ceiling).toBe(14);

    // A day on, fewer than three remain: the layer is gone, and the history says why, by whom.
    clock.advanceTo(first + 61 * DAY + 3_600_000);
    const faded = await rules();
    expect(faded.learned).toBeUndefined();
    expect(faded.ceiling).toBe(12);
    const last = faded.history.at(-1)!;
    expect(last).toMatchObject({ params: null, changedBy: "system" });
    expect(last.reason).toContain("Fewer than three false alarms");
    expect(last.reason).toContain("60天内任一上限的误报均少于3次");
    expect(
      faded.history.map((h) => (h.params as Layer["params"] | null)?.inactivity?.ceilingHours ?? null),
    ).toEqual([14, 16, 14, null]);
  });
});

describe("learned limits at start-up", () => {
  it("a layer whose false alarms are gone is dropped when the service starts, not a day later", async () => {
    const w = await startWorld();
    try {
      // A layer learned long ago (its alerts have since aged out or been erased): nothing supports it now.
      const scope = `household:${w.home.householdId}` as const;
      createRuleSettingsStore(w.svc.stores.db, w.clock.now).set({
        scope,
        source: "learned",
        params: { inactivity: { ceilingHours: 16, learnMaxGapHours: 16 } },
        reason: "4 false alarms at the 12 h limit in 60 days: this home's limit is 16 h.",
        changedBy: "system",
      });
      await w.restart();
      const settings = createRuleSettingsStore(w.svc.stores.db, w.clock.now);
      expect(settings.get(scope, "learned")).toBeUndefined();
      expect(settings.history(scope).at(-1)).toMatchObject({
        source: "learned",
        params: null,
        changedBy: "system",
        changedAt: w.clock.now(),
      });
    } finally {
      await w.stop();
    }
  });
});
