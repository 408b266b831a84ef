import type { Config } from "../core/config.js";
import { openDatabase, storePath } from "../storage/sqlite/open.js";
import { createReadingStore } from "../storage/sqlite/readings.js";
import { createRegistry } from "../storage/sqlite/registry.js";

/** The store as CLI commands use it: safe beside a running service (SQLite WAL, busy timeout). */
export function openStores(config: Config) {
  const db = openDatabase(storePath(config.dataDir), { sync: config.sqliteSync });
  const registry = createRegistry(db, Date.now);
  const readings = createReadingStore(db, registry.touchDevices);
  return { db, registry, readings, close: () => db.close() };
}
