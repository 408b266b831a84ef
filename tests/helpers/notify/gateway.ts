import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface GatewayHit {
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  body: string;
  /** Checked here as a receiver would, with nothing from the code under test. */
  signatureValid: boolean;
}

/** HMAC-SHA256 over "<timestamp>.<body>", as docs/notifications.md tells gateways to check (and to sign answers). */
export function signAsGateway(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * A webhook gateway (SMS, call) on a free port: records each POST, checks its signature, and answers
 * with the next scripted status (then 200).
 */
export async function startGateway(
  secret: string,
  script: { status: number; headers?: Record<string, string> }[] = [],
  path = "/jinlin/notify?token=gateway-token",
) {
  const hits: GatewayHit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const expected = signAsGateway(secret, String(req.headers["x-jinlin-timestamp"]), body);
      const given = String(req.headers["x-jinlin-signature"]);
      const signatureValid =
        given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      hits.push({ headers: req.headers, body, signatureValid });
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, { "content-type": "text/plain", ...next.headers }).end("answer");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    hits,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
