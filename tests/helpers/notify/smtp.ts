import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  envelopeTo: string[];
  user: string | undefined;
  headers: Map<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  stop(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1. Plain SMTP with AUTH allowed (no STARTTLS: it would
 * need a certificate the client trusts). Recipients starting with "nobody@" are refused with 550.
 */
export function startSmtp(port = 0, received: ReceivedMail[] = []): Promise<TestSmtp> {
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "jinlin" && auth.password === "s3cret") cb(null, { user: auth.username });
      else cb(Object.assign(new Error("bad login"), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith("nobody@"))
        return cb(Object.assign(new Error("no such user"), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const user = typeof session.user === "string" ? session.user : undefined;
        received.push(parseMail(Buffer.concat(chunks).toString("latin1"), to, user));
        cb();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const actual = (server.server.address() as AddressInfo).port;
      resolve({
        port: actual,
        received,
        stop: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

// A small MIME reader for what nodemailer writes (test-only; enough for text + html alternatives).

const qp = (s: string) =>
  Buffer.from(
    s
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    "latin1",
  ).toString("utf8");

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _cs: string, enc: string, data: string) =>
      enc.toUpperCase() === "B"
        ? Buffer.from(data, "base64").toString("utf8")
        : qp(data.replaceAll("_", " ")),
    );
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, at).replace(/\r?\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body: raw.slice(at).replace(/^\r?\n\r?\n/, "") };
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const cte = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (cte === "quoted-printable") return qp(body);
  return Buffer.from(body, "latin1").toString("utf8");
}

function parseMail(raw: string, envelopeTo: string[], user: string | undefined): ReceivedMail {
  const { headers, body } = split(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get("content-type") ?? "")?.[1];
  const sections = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw];
  for (const section of sections) {
    const part = split(section.replace(/^\r?\n/, ""));
    const type = (part.headers.get("content-type") ?? "text/plain").split(";")[0] ?? "";
    parts[type] = decodeBody(part.headers, part.body.replace(/\r?\n$/, ""));
  }
  for (const [k, v] of headers) headers.set(k, decodeWords(v));
  return {
    envelopeTo,
    user,
    headers,
    subject: headers.get("subject") ?? "",
    messageId: headers.get("message-id") ?? "",
    text: (parts["text/plain"] ?? "").replace(/\r\n/g, "\n"),
    html: parts["text/html"] ?? "",
  };
}
