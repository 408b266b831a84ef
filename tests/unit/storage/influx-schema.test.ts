import { describe, expect, test } from "vitest";
import { type ForwardedReading, quoteIdent, quoteString, toLine } from "../../../storage/influx/schema.js";

const base = {
  id: 1,
  deviceId: "dev-1",
  householdId: "hh-1",
  gridId: 7,
  ts: 1_793_606_400_123,
  consumedLiters: null,
  registerReset: false,
};
const line = (r: Partial<ForwardedReading> & Pick<ForwardedReading, "kind" | "fields">) =>
  toLine({ ...base, ...r });

describe("line protocol", () => {
  test("water: register, flow, consumption, baseline and reset flags; ms timestamp", () => {
    expect(line({ kind: "water", fields: { totalLiters: 1200, flowLpm: 2.5 }, consumedLiters: 3.25 })).toBe(
      "water,device=dev-1,grid=7,household=hh-1 baseline=F,consumed_l=3.25,flow_lpm=2.5,register_reset=F,total_l=1200 1793606400123",
    );
    expect(line({ kind: "water", fields: { totalLiters: 5 }, registerReset: true })).toBe(
      "water,device=dev-1,grid=7,household=hh-1 baseline=T,consumed_l=0,register_reset=T,total_l=5 1793606400123",
    );
  });

  test("booleans stay booleans, numbers are floats (no i suffix), unknown fields are not written", () => {
    expect(line({ kind: "door", fields: { open: true } })).toBe(
      "door,device=dev-1,grid=7,household=hh-1 open=T 1793606400123",
    );
    expect(line({ kind: "power", fields: { watts: 120, totalKwh: 3.5, extra: 1 } })).toBe(
      "power,device=dev-1,grid=7,household=hh-1 total_kwh=3.5,watts=120 1793606400123",
    );
  });

  test("a heartbeat without fields still makes a point; no grid tag when the household has none", () => {
    expect(line({ kind: "heartbeat", fields: {}, gridId: null })).toBe(
      "heartbeat,device=dev-1,household=hh-1 alive=T 1793606400123",
    );
  });

  test("tag values are escaped by the client library's Point", () => {
    expect(line({ kind: "button", fields: { pressed: false }, householdId: "hh a,b=c" })).toBe(
      "button,device=dev-1,grid=7,household=hh\\ a\\,b\\=c pressed=F 1793606400123",
    );
  });
});

describe("InfluxQL quoting", () => {
  test("strings and identifiers cannot break out of their quotes", () => {
    expect(quoteString("x' OR 1=1 --")).toBe("'x\\' OR 1=1 --'");
    expect(quoteString("a\\'")).toBe("'a\\\\\\''");
    expect(quoteIdent('we"ird')).toBe('"we\\"ird"');
  });
});
