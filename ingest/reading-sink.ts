import type { Reading, StoredReading } from "../core/domain.js";

export interface ReadingToAppend {
  reading: Reading;
  householdId: string;
  receivedAt: number;
}

export interface AppendResult {
  stored: StoredReading[];
  duplicates: number;
  revised: StoredReading[];
}

/** Where ingest appends readings (the SQLite reading store implements it); `append` is durable when it returns. */
export interface ReadingSink {
  append(items: ReadingToAppend[]): AppendResult;
}
