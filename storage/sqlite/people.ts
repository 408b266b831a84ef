import { randomBytes } from "node:crypto";
import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";

export const ROLES = ["operator", "worker", "family"] as const;
export const DUTIES = ["primary", "backup", "supervisor"] as const;
export type Role = (typeof ROLES)[number];
export type Duty = (typeof DUTIES)[number];

export const personInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  email: z.email().optional(),
  phone: z.string().min(3).max(40).optional(),
  language: z.enum(["zh-CN", "en"]).default("zh-CN"),
});
export type PersonInput = z.input<typeof personInputSchema>;

export interface Person {
  id: string;
  name: string;
  role: Role;
  email: string | null;
  phone: string | null;
  language: "zh-CN" | "en";
}

export interface Recipient extends Person {
  /** Why this person hears of the alert: their duty on the grid, or family. */
  as: Duty | "family" | "operator";
}

type PersonRow = Person & { disabled_at: number | null };
const COLS = "p.id, p.name, p.role, p.email, p.phone, p.language";

/** People, their duties on grids and their family links; and who must hear of a home's alert at each level. */
export function createPeopleStore(db: Db, now: () => number) {
  const gridOf = db.prepare<[string], { grid_id: number }>("SELECT grid_id FROM households WHERE id = ?");
  const parentOf = db.prepare<[number], { parent_id: number | null }>(
    "SELECT parent_id FROM grids WHERE id = ?",
  );
  const onGrid = db.prepare<[number, string], PersonRow>(
    `SELECT ${COLS}, p.disabled_at FROM people p JOIN grid_assignments g ON g.person_id = p.id
     WHERE g.grid_id = ? AND g.duty = ? AND p.disabled_at IS NULL ORDER BY p.id`,
  );
  const family = db.prepare<[string], PersonRow>(
    `SELECT ${COLS}, p.disabled_at FROM people p JOIN household_family f ON f.person_id = p.id
     WHERE f.household_id = ? AND f.notify = 1 AND p.disabled_at IS NULL ORDER BY p.id`,
  );
  const operators = db.prepare<[], PersonRow>(
    `SELECT ${COLS}, p.disabled_at FROM people p WHERE p.role = 'operator' AND p.disabled_at IS NULL ORDER BY p.id`,
  );
  const strip = ({ disabled_at: _d, ...p }: PersonRow): Person => p;

  function ancestors(gridId: number): number[] {
    const out: number[] = [];
    let id: number | null = parentOf.get(gridId)?.parent_id ?? null;
    while (id !== null) {
      out.push(id);
      id = parentOf.get(id)?.parent_id ?? null;
    }
    return out;
  }

  return {
    addPerson(input: PersonInput, id = `p-${randomBytes(5).toString("hex")}`): Person {
      const parsed = personInputSchema.safeParse(input);
      if (!parsed.success)
        throw jinlinError(
          "JINLIN_ERR_INPUT_INVALID",
          parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        );
      const p = parsed.data;
      db.prepare(
        "INSERT INTO people (id, name, role, email, phone, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(id, p.name, p.role, p.email ?? null, p.phone ?? null, p.language, now());
      return {
        id,
        name: p.name,
        role: p.role,
        email: p.email ?? null,
        phone: p.phone ?? null,
        language: p.language,
      };
    },
    assign(personId: string, gridId: number, duty: Duty): void {
      db.prepare(
        "INSERT INTO grid_assignments (person_id, grid_id, duty) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET duty = excluded.duty",
      ).run(personId, gridId, duty);
    },
    linkFamily(
      personId: string,
      householdId: string,
      relation: string | null = null,
      dailySummary = false,
    ): void {
      db.prepare(
        "INSERT INTO household_family (person_id, household_id, relation, daily_summary) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET relation = excluded.relation",
      ).run(personId, householdId, relation, dailySummary ? 1 : 0);
    },
    /**
     * Level 0: the grid's primary workers (backup workers if it has none); 1: + backup workers;
     * 2: + supervisors of the grid and the level above (the community); 3: + every supervisor above and the
     * operators. Family from `familyFromLevel`.
     */
    recipients(householdId: string, level: number, familyFromLevel: number): Recipient[] {
      const home = gridOf.get(householdId);
      if (!home) return [];
      const out = new Map<string, Recipient>();
      const add = (rows: PersonRow[], as: Recipient["as"]) => {
        for (const r of rows) if (!out.has(r.id)) out.set(r.id, { ...strip(r), as });
      };
      const primary = onGrid.all(home.grid_id, "primary");
      add(primary, "primary");
      if (level >= 1 || primary.length === 0) add(onGrid.all(home.grid_id, "backup"), "backup");
      const up = ancestors(home.grid_id);
      const supervisorGrids =
        level >= 3 ? [home.grid_id, ...up] : level >= 2 ? [home.grid_id, ...up.slice(0, 1)] : [];
      for (const g of supervisorGrids) add(onGrid.all(g, "supervisor"), "supervisor");
      if (level >= 3) add(operators.all(), "operator");
      if (level >= familyFromLevel) add(family.all(householdId), "family");
      return [...out.values()];
    },
    operators: (): Person[] => operators.all().map(strip),
    family: (householdId: string): Person[] => family.all(householdId).map(strip),
    get(id: string): Person | undefined {
      const r = db
        .prepare<[string], PersonRow>(`SELECT ${COLS}, p.disabled_at FROM people p WHERE p.id = ?`)
        .get(id);
      return r ? strip(r) : undefined;
    },
  };
}

export type PeopleStore = ReturnType<typeof createPeopleStore>;
