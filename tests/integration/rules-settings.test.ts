import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { inactivityRaise } from "../helpers/alerts.js";
import { httpClient } from "../helpers/http-client.js";
import { startTestService, type TestService } from "../helpers/service.js";

let svc: TestService;
let op: ReturnType<typeof httpClient>;
let home: { householdId: string; deviceId: string; secret: string };
const clock = createManualClock(Date.parse("2026-03-10T02:00:00Z"));

beforeAll(async () => {
  svc = await startTestService({}, clock);
  const people = createPeopleStore(svc.stores.db, Date.now);
  await createAccount(
    {
      people,
      accounts: createAccountStore(svc.stores.db, Date.now),
      transaction: (fn) => svc.stores.db.transaction(fn)(),
    },
    { role: "operator", login: "operator", name: "Operator", password: "operator-password-1" },
  );
  op = httpClient(`http://127.0.0.1:${svc.httpPort}`);
  expect((await op.login("operator", "operator-password-1")).status).toBe(200);
  home = await svc.provision("water");
});
afterAll(async () => {
  await svc.stop();
});

const inactivity = (at: number, limit = "ceiling") => inactivityRaise(at, limit, 720);

describe("rule settings", () => {
  it("refuses parameters that do not exist, naming the field", async () => {
    const r = await op.request("PUT", `/api/households/${home.householdId}/rules`, {
      params: { inactivity: { nonsense: 1 } },
      reason: "try",
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("nonsense");
  });

  it("saves an operator's home setting and shows it in force, with its history", async () => {
    const put = await op.request("PUT", `/api/households/${home.householdId}/rules`, {
      params: { disabled: ["door_night"] },
      reason: "no door sensor",
    });
    expect(put.status).toBe(200);
    const got = await op.request("GET", `/api/households/${home.householdId}/rules`);
    expect((got.body.effective as { disabled: string[] }).disabled).toEqual(["door_night"]);
    expect(JSON.stringify(got.body.history)).toContain("no door sensor");
  });

  it("learns from repeated false alarms, says why, and forgets when an operator asks", async () => {
    for (let i = 0; i < 3; i++) {
      const [alert] = svc.alerts.apply(home.householdId, [inactivity(clock.now())]);
      svc.alerts.resolve(alert!.id, "worker-1", "false_alarm_other", "she was at her daughter's");
      clock.advanceBy(86_400_000);
    }
    // The session idles out on the service's (virtual) clock: sign in again.
    expect((await op.login("operator", "operator-password-1")).status).toBe(200);
    const got = await op.request("GET", `/api/households/${home.householdId}/rules`);
    const layers = got.body.layers as {
      source: string;
      reason: string;
      params: { inactivity: { ceilingHours: number } };
    }[];
    const learned = layers.find((l) => l.source === "learned");
    expect(learned?.reason).toMatch(/3 false alarms at the 12 h limit/);
    const base = (await op.request("GET", "/api/rules")).body.defaults as {
      inactivity: { ceilingHours: number };
    };
    expect(learned?.params.inactivity.ceilingHours).toBe(base.inactivity.ceilingHours + 2);

    expect((await op.request("DELETE", `/api/households/${home.householdId}/rules/learned`)).status).toBe(
      204,
    );
    const after = await op.request("GET", `/api/households/${home.householdId}/rules`);
    expect((after.body.layers as { source: string }[]).some((l) => l.source === "learned")).toBe(false);
    expect(JSON.stringify(after.body.history)).toContain("forgotten by an operator");
  });

  it("false alarms while out (door) relax this home's outing limit, not its at-home limits", async () => {
    const other = await svc.provision("water");
    for (let i = 0; i < 3; i++) {
      const [alert] = svc.alerts.apply(other.householdId, [inactivity(clock.now(), "out")]);
      svc.alerts.resolve(alert!.id, "worker-1", "false_alarm_away", "at the market, then her sister's");
      clock.advanceBy(86_400_000);
    }
    expect((await op.login("operator", "operator-password-1")).status).toBe(200);
    const got = await op.request("GET", `/api/households/${other.householdId}/rules`);
    const learned = (got.body.layers as { source: string; reason: string; params: unknown }[]).find(
      (l) => l.source === "learned",
    );
    expect(learned?.params).toEqual({ inactivity: { outAlpha: 0.01, outMarginMin: 60 } });
    expect(learned?.reason).toMatch(/3 false alarms while out \(door\)/);
    expect(learned?.reason).toContain("60天内外出（门磁）期间误报3次");
    const effective = got.body.effective as { inactivity: { alpha: number; outAlpha: number } };
    const base = (await op.request("GET", "/api/rules")).body.defaults as { inactivity: { alpha: number } };
    expect(effective.inactivity).toMatchObject({ alpha: base.inactivity.alpha, outAlpha: 0.01 });
  });

  it("previews a change on the home's real history before it is saved", async () => {
    const r = await op.request("POST", `/api/households/${home.householdId}/rules/preview`, {
      params: { disabled: ["inactivity"] },
      days: 7,
    });
    expect(r.status).toBe(200);
    expect(r.body).toHaveProperty("current.summary");
    expect(r.body).toHaveProperty("proposed.summary");
  });
});
