import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";
import { z } from "zod";
import type { InfluxConfig } from "../../core/config.js";

const gzip = promisify(gzipCb);

/** The outcome of one write request. status 0: no HTTP answer (network error, timeout). */
export interface WriteResult {
  status: number;
  /** Retry-After in ms when the server sent one (429/503); InfluxDB sends seconds [RFC 9110 §10.2.3]. */
  retryAfterMs: number | undefined;
  /** Server's error text (truncated), or the network error's message. */
  error: string;
}

/** Where the forwarder sends lines: one HTTP request per call, no retries (the forwarder owns those). */
export interface LineWriter {
  write(lines: readonly string[], signal: AbortSignal): Promise<WriteResult>;
}

export type InfluxTarget = Pick<
  InfluxConfig,
  "url" | "api" | "token" | "username" | "password" | "org" | "bucket" | "database" | "retentionPolicy"
>;

export function authHeaders(t: InfluxTarget): Record<string, string> {
  const token: Record<string, string> = t.token === undefined ? {} : { authorization: `Token ${t.token}` };
  if (t.api === "v2" || t.username === undefined) return token;
  // InfluxDB 1.x accepts basic auth as well as u/p query parameters; a header keeps the password out of URLs.
  const basic = Buffer.from(`${t.username}:${t.password ?? ""}`).toString("base64");
  return { authorization: `Basic ${basic}` };
}

export function writeUrl(t: InfluxTarget): string {
  const params = new URLSearchParams();
  if (t.api === "v2") {
    if (t.org !== undefined) params.set("org", t.org);
    params.set("bucket", t.bucket);
    params.set("precision", "ms");
    return `${t.url}/api/v2/write?${params}`;
  }
  params.set("db", t.database);
  if (t.retentionPolicy !== undefined) params.set("rp", t.retentionPolicy);
  params.set("precision", "ms");
  return `${t.url}/write?${params}`;
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function createLineWriter(target: InfluxTarget, options: { timeoutMs?: number } = {}): LineWriter {
  const url = writeUrl(target);
  const headers = {
    ...authHeaders(target),
    "content-type": "text/plain; charset=utf-8",
    "content-encoding": "gzip",
  };
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async write(lines, signal) {
      const body = await gzip(`${lines.join("\n")}\n`);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        const text = res.ok ? "" : await res.text();
        return {
          status: res.status,
          retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), Date.now()),
          error: text.slice(0, 1000),
        };
      } catch (err) {
        if (signal.aborted) throw err;
        return {
          status: 0,
          retryAfterMs: undefined,
          error: err instanceof Error ? err.message : String(err),
        };
      }
    },
  };
}

const seriesSchema = z.object({
  name: z.string(),
  tags: z.record(z.string(), z.string()).optional(),
  columns: z.array(z.string()),
  values: z.array(z.array(z.unknown())).default([]),
});
export type Series = z.infer<typeof seriesSchema>;
const queryResponseSchema = z.object({
  results: z
    .array(z.object({ series: z.array(seriesSchema).optional(), error: z.string().optional() }))
    .default([]),
  error: z.string().optional(),
});

/** InfluxQL over /query (1.x, 2.x with a DBRP mapping, 3.x); times come back as epoch ms. */
export function createInfluxQl(target: InfluxTarget, options: { timeoutMs?: number } = {}) {
  const headers = { ...authHeaders(target), "content-type": "application/x-www-form-urlencoded" };
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async function query(q: string): Promise<Series[]> {
    const params = new URLSearchParams({ db: target.database, q, epoch: "ms" });
    if (target.retentionPolicy !== undefined) params.set("rp", target.retentionPolicy);
    const res = await fetch(`${target.url}/query`, {
      method: "POST",
      headers,
      body: params.toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`InfluxQL query failed with HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    const parsed = queryResponseSchema.safeParse(json);
    const failure = !parsed.success
      ? "unexpected response"
      : (parsed.data.error ?? parsed.data.results.find((r) => r.error)?.error);
    if (!res.ok || failure !== undefined || !parsed.success)
      throw new Error(`InfluxQL query failed with HTTP ${res.status}: ${failure ?? text.slice(0, 300)}`);
    return parsed.data.results[0]?.series ?? [];
  };
}

export type InfluxQl = ReturnType<typeof createInfluxQl>;
