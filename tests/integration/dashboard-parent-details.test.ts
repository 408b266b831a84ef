import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./dashboard-harness.js";

/**
 * A family member keeps the registered parent's details up to date after approval; the grid worker
 * sees the change; the audit log says who changed which fields (never the values); another family
 * gets 404; bad input is refused with the field named, and nothing already saved is lost.
 */
let d: Dashboard;
let home = "";
let other = "";
type U = Awaited<ReturnType<Dashboard["user"]>>;
let daughter: U;
let worker: U;
let stranger: U;

beforeAll(async () => {
  d = await startDashboard();
  home = d.household("city/d1/s1/c1/g-a", "Wang Ayi").id;
  other = d.household("city/d1/s1/c1/g-a", "Someone Else").id;
  daughter = await d.user("family", { household: home });
  worker = await d.user("worker", { grid: "city/d1/s1/c1/g-a" });
  stranger = await d.user("family", { household: other });
});
afterAll(async () => {
  await d?.close();
});

const details = {
  phone: "0591-1234-5678",
  address: "3 New Street, flat 201",
  healthNotes: "Diabetes since 2025; insulin at 07:00",
  accessNotes: "Key with the guard",
  emergencyContacts: [
    { name: "Wang Li", phone: "13900000001", relation: "daughter" },
    { name: "Neighbour Zhao", phone: "13900000002" },
  ],
  language: "en",
  consent: true,
};

describe("family editing the parent's details", () => {
  it("the family member saves new details and the worker sees them", async () => {
    const r = await daughter.client.request("PATCH", `/api/households/${home}`, details);
    expect(r.statusCode).toBe(200);
    const seen = (await worker.client.get(`/api/households/${home}`)).json();
    expect(seen).toMatchObject({
      address: details.address,
      emergencyContacts: details.emergencyContacts,
      language: "en",
      consent: true,
      profile: { phone: details.phone, healthNotes: details.healthNotes, accessNotes: details.accessNotes },
    });
  });

  it("is audit-logged with who and which fields, not the health notes themselves", async () => {
    const op = await d.user("operator");
    const log = (await op.client.get(`/api/audit?householdId=${home}&actor=${daughter.account.id}`)).json();
    const change = log.entries.find((e: { action: string }) => e.action === "change");
    expect(change).toMatchObject({ actor: daughter.account.id, householdId: home });
    expect(change.detail.fields).toEqual(expect.arrayContaining(["phone", "healthNotes", "consent"]));
    expect(JSON.stringify(log)).not.toContain("insulin");
  });

  it("a family member of another home gets 404 and changes nothing", async () => {
    const r = await stranger.client.request("PATCH", `/api/households/${home}`, { phone: "110" });
    expect(r.statusCode).toBe(404);
    const missing = await stranger.client.request("PATCH", "/api/households/hh-nope", { phone: "110" });
    expect(missing.statusCode).toBe(404);
    expect(r.json().error.code).toBe(missing.json().error.code);
    expect((await worker.client.get(`/api/households/${home}`)).json().profile.phone).toBe(details.phone);
  });

  it("refuses bad input naming the field and keeps what was saved", async () => {
    for (const bad of [
      { address: "" },
      { emergencyContacts: [{ name: "No Phone" }] },
      { language: "fr" },
      { consent: "yes" },
      { gridPath: "elsewhere/grid" },
    ]) {
      const r = await daughter.client.request("PATCH", `/api/households/${home}`, bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().error.message).toMatch(new RegExp(Object.keys(bad)[0]!));
    }
    const now = (await daughter.client.get(`/api/households/${home}`)).json();
    expect(now).toMatchObject({ address: details.address, language: "en", consent: true });
  });

  it("consent can be withdrawn, and an emptied note is cleared", async () => {
    const r = await daughter.client.request("PATCH", `/api/households/${home}`, {
      consent: false,
      healthNotes: null,
    });
    expect(r.statusCode).toBe(200);
    const seen = (await worker.client.get(`/api/households/${home}`)).json();
    expect(seen.consent).toBe(false);
    expect(seen.profile.healthNotes).toBeNull();
    expect(seen.profile.phone).toBe(details.phone);
  });
});
