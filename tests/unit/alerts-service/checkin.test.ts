import { afterEach, describe, expect, it } from "vitest";
import type { Alert } from "../../../alerts/alert-types.js";
import { checkInApplies } from "../../../alerts/checkin.js";
import { createHomeEvaluator } from "../../../alerts/engine/home-evaluator.js";
import { RULE_IDS, type Transition } from "../../../alerts/engine/types.js";
import { DEFAULT_ESCALATION } from "../../../alerts/escalation.js";
import { type AlertNews, createAlertLifecycle } from "../../../alerts/lifecycle.js";
import { renderNotification } from "../../../alerts/notify/templates/render.js";
import { notificationRequestSchema } from "../../../alerts/notify/types.js";
import { createManualClock } from "../../../core/clock.js";
import type { Reading } from "../../../core/domain.js";
import { decodeTelemetry } from "../../../ingest/decode.js";
import { createAlertStore } from "../../../storage/sqlite/alerts.js";
import { type Db, openDatabase } from "../../../storage/sqlite/open.js";
import { createRegistry } from "../../../storage/sqlite/registry.js";
import { captureLogs } from "../../helpers/log-sink.js";

const T0 = Date.parse("2026-03-02T02:00:00Z");
const limits = { maxPayloadBytes: 1024, maxBatch: 3, maxReadingAgeMs: 86_400_000, maxClockSkewMs: 300_000 };
const button = { id: "btn-1", kind: "button" as const };
const decode = (body: unknown) => decodeTelemetry(Buffer.from(JSON.stringify(body)), button, T0, limits);

describe("the button's 'I'm OK' press", () => {
  it("decodes with or without `pressed`, and a button reading still needs one of the two", () => {
    expect(decode({ kind: "button", ok: true }).readings[0]?.fields).toEqual({ pressed: false, ok: true });
    expect(decode({ kind: "button", pressed: false, ok: true }).readings[0]?.fields).toEqual({
      pressed: false,
      ok: true,
    });
    expect(decode({ kind: "button", pressed: true }).readings[0]?.fields).toEqual({ pressed: true });
    expect(decode({ kind: "button" }).rejections[0]?.code).toBe("JINLIN_ERR_READING_INVALID");
    expect(decode({ kind: "button", ok: "yes" }).rejections[0]?.code).toBe("JINLIN_ERR_READING_INVALID");
  });

  it("is neither a panic press nor the cancel of one", () => {
    const ev = createHomeEvaluator({ homeId: "h1", timezone: "Asia/Shanghai" });
    const r = (ts: number, fields: { pressed: boolean; ok?: boolean }): Reading => ({
      deviceId: "btn-1",
      kind: "button",
      ts,
      fields,
    });
    let s = ev.init(T0);
    const ok = ev.evaluate(s, r(T0, { pressed: false, ok: true }), T0);
    expect(ok.transitions.filter((t) => t.rule === "panic")).toEqual([]);
    s = ev.evaluate(ok.state, r(T0 + 1000, { pressed: true }), T0 + 1000).state;
    const okWhileOpen = ev.evaluate(s, r(T0 + 2000, { pressed: false, ok: true }), T0 + 2000);
    expect(okWhileOpen.transitions.filter((t) => t.rule === "panic")).toEqual([]);
  });
});

describe("which alerts wait for the resident", () => {
  it("inactivity, and a silent home only when it escalates like inactivity", () => {
    const held = RULE_IDS.filter((rule) => checkInApplies(rule, "critical"));
    expect(held.sort()).toEqual(["inactivity", "no_data"]);
    expect(checkInApplies("no_data", "warning")).toBe(false);
    expect(checkInApplies("panic", "critical")).toBe(false);
  });
});

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup(minutes = 30) {
  const db = openDatabase(":memory:");
  dbs.push(db);
  const home = createRegistry(db, () => T0).addHousehold({
    resident: "张阿姨",
    address: "幸福路 8 号",
    gridPath: "sh/grid-1",
  });
  const clock = createManualClock(T0);
  const told: [number, AlertNews][] = [];
  const lifecycle = createAlertLifecycle({
    store: createAlertStore(db),
    clock,
    policy: DEFAULT_ESCALATION,
    log: captureLogs().log,
    checkIn: () => ({ minutes, channels: ["button"] }),
    notifier: { notify: (a: Alert, news: AlertNews) => told.push([a.id, news]) },
  });
  return { lifecycle, clock, told, householdId: home.id };
}

const raise = (rule: Transition["rule"], at: number): Transition => ({
  kind: "raise",
  rule,
  severity: "major",
  at,
  evidence: {
    rule,
    severity: "major",
    threshold: { name: "gap", value: 300, unit: "min" },
    observed: { name: "gap", value: 320, unit: "min" },
    baseline: null,
    readings: [],
    confidence: null,
    message: { "zh-CN": "自 08:00 起未用水。", en: "No water since 08:00." },
  },
});

describe("the lifecycle's check-in", () => {
  it("holds an inactivity alert until `until`, and a carer acting first ends the check-in", () => {
    const { lifecycle, clock, told, householdId } = setup(30);
    const [a] = lifecycle.apply(householdId, [raise("inactivity", T0)]);
    expect(a).toMatchObject({ status: "open", nextActionAt: T0 + 30 * 60_000, checkIn: { result: null } });
    expect(told).toEqual([[a!.id, "checkin_started"]]);
    clock.advanceBy(60_000);
    const acked = lifecycle.acknowledge(a!.id, "worker-1");
    expect(acked).toMatchObject({
      status: "acknowledged",
      nextActionAt: null,
      checkIn: { result: "taken_over" },
    });
    // The timer firing later finds nothing to dispatch.
    clock.advanceBy(30 * 60_000);
    expect(lifecycle.escalate(a!.id)).toBeUndefined();
  });

  it("does not hold a rule the check-in does not apply to, even with check-in on", () => {
    const { lifecycle, told, householdId } = setup();
    const [a] = lifecycle.apply(householdId, [raise("water_running", T0)]);
    expect(a).toMatchObject({ checkIn: null, nextActionAt: T0 + 15 * 60_000 });
    expect(told).toEqual([[a!.id, "raised"]]);
  });

  it("counts only presses at or after the condition began", () => {
    const { lifecycle, householdId } = setup();
    lifecycle.apply(householdId, [raise("inactivity", T0)]);
    expect(lifecycle.waitingAt(householdId, T0 - 1)).toEqual([]);
    expect(lifecycle.waitingAt(householdId, T0)).toHaveLength(1);
  });
});

describe("the resident's check-in call and the one outcome vocabulary", () => {
  const call = (language: "zh-CN" | "en") =>
    notificationRequestSchema.parse({
      template: "resident_checkin",
      channel: "webhook",
      to: "13800000000",
      language,
      audience: "resident",
      idempotencyKey: "checkin:42:call",
      data: {
        householdId: "hh-7",
        resident: "张阿姨",
        address: "幸福路 8 号",
        timezone: "Asia/Shanghai",
        alertId: "42",
        until: Date.parse("2026-03-05T06:30:00Z"),
        minutes: 30,
      },
    });

  it("tells the resident what to press and until when (the home's local time), in their language", () => {
    const zh = renderNotification(call("zh-CN"));
    expect(zh.subject).toBe("【近邻】张阿姨，您好，请确认您是否平安");
    expect(zh.text).toContain("请按 1 或回复 1");
    expect(zh.text).toContain("3月5日 14:30前");
    const en = renderNotification(call("en"));
    expect(en.text).toContain("press or reply 1");
    expect(en.text).toContain("5 Mar, 14:30");
    for (const m of [zh, en]) {
      expect(m.text).not.toMatch(/undefined|null|NaN/);
      // A call read out to the resident does not recite their address or the alert id.
      expect(m.text).not.toContain("幸福路");
      expect(m.text).not.toContain("42");
    }
  });

  it("renders a resolved notification queued before the vocabularies became one", () => {
    const legacy = notificationRequestSchema.parse({
      template: "alert_resolved",
      channel: "email",
      to: "li@grid.test",
      audience: "family",
      idempotencyKey: "old-1",
      data: {
        householdId: "hh-7",
        resident: "张阿姨",
        address: "幸福路 8 号",
        alertId: "42",
        rule: "inactivity",
        severity: "major",
        at: T0,
        message: { "zh-CN": "测试", en: "test" },
        outcome: "resident_safe",
        resolvedAt: T0,
      },
    });
    expect(legacy.template === "alert_resolved" && legacy.data.outcome).toBe("safe");
    expect(renderNotification(legacy).text).toContain("老人平安，无需帮助");
  });
});
