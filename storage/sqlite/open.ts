import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

export interface OpenOptions {
  sync?: "full" | "normal";
  readonly?: boolean;
}

/** Opens (creating if needed) the store, in WAL mode, and brings its schema up to date. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (!options.readonly && file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma("busy_timeout = 5000");
  if (options.readonly) return db;
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.sync === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("foreign_keys = ON");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export function storePath(dataDir: string): string {
  return `${dataDir.replace(/\/$/, "")}/jinlin.db`;
}
