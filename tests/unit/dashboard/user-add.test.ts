import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Io } from "../../../cli/args.js";
import { parseCommandArgs } from "../../../cli/args.js";
import { createUserAdd } from "../../../cli/commands/user.js";
import { verifySecret } from "../../../core/secrets.js";
import { openDatabase, storePath } from "../../../storage/sqlite/open.js";
import { tempDir } from "../../helpers/service.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function run(argv: string[], stdin = "") {
  const dir = tempDir("jinlin-user-");
  dirs.push(dir);
  const out: string[] = [];
  const io: Io = { env: { JINLIN_DATA_DIR: dir }, out: (t) => out.push(t), err: (t) => out.push(t) };
  const cmd = createUserAdd(async () => stdin);
  const code = await cmd.run(parseCommandArgs(cmd, argv), io);
  const db = openDatabase(storePath(dir));
  const row = db.prepare("SELECT id, role, login, password_hash FROM people").get() as Record<string, string>;
  db.close();
  return { code, out: out.join("\n"), row };
}

describe("jinlin user add", () => {
  it("creates the first operator and prints a generated password once", async () => {
    const { code, out, row } = await run(["--role", "operator", "--login", "admin", "--name", "Admin"]);
    expect(code).toBe(0);
    const password = /password: (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(row).toMatchObject({ role: "operator", login: "admin" });
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifySecret(password!, row.password_hash!)).toBe(true);
  });

  it("reads the password from standard input and never prints it", async () => {
    const { out, row } = await run(
      ["--role", "operator", "--login", "root", "--name", "Root", "--password-stdin"],
      "a-chosen-password\n",
    );
    expect(out).not.toContain("a-chosen-password");
    expect(out).not.toContain("password:");
    expect(await verifySecret("a-chosen-password", row.password_hash!)).toBe(true);
  });

  it("refuses a short password", async () => {
    await expect(
      run(["--role", "operator", "--login", "x-admin", "--name", "X", "--password-stdin"], "short"),
    ).rejects.toThrow(/password must be/);
  });
});
