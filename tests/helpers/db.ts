import type { Db } from "../../storage/sqlite/open.js";

/** A query returning one number (a COUNT(*)), as a function of its parameters: `count(sql, ...args)`. */
export function counter(db: Db): (sql: string, ...args: (string | number)[]) => number {
  return (sql, ...args) =>
    db
      .prepare(sql)
      .pluck()
      .get(...args) as number;
}
