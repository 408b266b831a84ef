import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-jinlin-signature";
export const TIMESTAMP_HEADER = "x-jinlin-timestamp";

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"); timestamp in Unix seconds. */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestampS}.${body}`, "utf8").digest("hex");
  return `sha256=${mac}`;
}

export interface VerifyInput {
  secret: string;
  /** The X-Jinlin-Timestamp header. */
  timestamp: string | undefined;
  /** The X-Jinlin-Signature header. */
  signature: string | undefined;
  /** The raw request body, exactly as received. */
  body: string;
  nowMs: number;
  /** Older or newer requests are refused (replays); 5 minutes by default. */
  toleranceS?: number;
}

/** What a receiver does (see docs/notifications.md); exported for gateways written in TypeScript. */
export function verifyWebhook(v: VerifyInput): boolean {
  if (v.timestamp === undefined || v.signature === undefined || !/^\d{1,12}$/.test(v.timestamp)) return false;
  const ts = Number(v.timestamp);
  if (Math.abs(v.nowMs / 1000 - ts) > (v.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signWebhook(v.secret, ts, v.body));
  const given = Buffer.from(v.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
