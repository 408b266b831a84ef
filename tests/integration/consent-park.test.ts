import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { addAccount } from "../helpers/accounts.js";
import { counter } from "../helpers/db.js";
import { httpClient } from "../helpers/http-client.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { startTestService } from "../helpers/service.js";

/** A local port with nothing listening: the SMTP relay is down, so notifications wait in the outbox. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe("consent withdrawn while notifications wait to be sent", () => {
  it("parks the home's unsent notifications with the reason; they are not delivered after the withdrawal", async () => {
    const clock = createManualClock(Date.parse("2026-04-01T00:00:00Z"));
    const s = await startTestService(
      {
        JINLIN_SMTP_HOST: "127.0.0.1",
        JINLIN_SMTP_PORT: String(await closedPort()),
        JINLIN_SMTP_FROM: "jinlin@test",
      },
      clock,
    );
    try {
      const db = s.stores.db;
      const count = counter(db);
      const op = await addAccount(db, "operator", "op-park");
      const api = httpClient(`http://127.0.0.1:${s.httpPort}`);
      expect((await api.login(op.login, op.password)).status).toBe(200);
      const home = await s.provision("button");
      const other = await s.provision("button");
      const people = createPeopleStore(db, Date.now);
      for (const h of [home.householdId, other.householdId])
        people.linkFamily(
          people.addPerson({ name: "Son", role: "family", email: `son-${h}@family.test` }).id,
          h,
          "son",
          true,
        );
      for (const d of [home, other]) {
        const btn = await connect(s.mqttPort, { username: d.deviceId, password: d.secret });
        await btn.publishAsync(
          `devices/${d.deviceId}/telemetry`,
          JSON.stringify({ kind: "button", pressed: true }),
          {
            qos: 1,
          },
        );
        await closeClient(btn);
      }
      const pending = (h: string) =>
        count("SELECT count(*) FROM notifications WHERE household_id = ? AND status = 'pending'", h);
      await waitUntil(
        () => pending(home.householdId) > 0 && pending(other.householdId) > 0,
        5000,
        "notifications",
      );

      const url = `/api/households/${home.householdId}`;
      expect((await api.request("PATCH", url, { consent: true })).status).toBe(200);
      expect((await api.request("PATCH", url, { consent: false })).status).toBe(200);

      expect(pending(home.householdId)).toBe(0);
      expect(
        count(
          "SELECT count(*) FROM notifications WHERE household_id = ? AND status = 'parked' AND last_error = ?",
          home.householdId,
          "monitoring paused: consent withdrawn",
        ),
      ).toBeGreaterThan(0);
      // The neighbour, whose consent stands, still has its notifications waiting to be sent.
      expect(pending(other.householdId)).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
  });
});
