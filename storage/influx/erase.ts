import type { InfluxQl } from "./http.js";
import { quoteString } from "./schema.js";

/**
 * Deletes every point of one household from InfluxDB (an erase, docs/privacy.md): `DROP SERIES` by the
 * `household` tag, over every measurement. InfluxDB 1.x and 1.8 answer it; 2.x needs the delete API and
 * 3.x has no delete (documented there).
 */
export async function dropHouseholdSeries(query: InfluxQl, householdId: string): Promise<void> {
  await query(`DROP SERIES WHERE "household" = ${quoteString(householdId)}`);
}
