import { parseArgs } from "node:util";
import { flagName, SETTINGS, type SettingName } from "../core/config.js";

export type OptionSpec = Record<string, { type: "string" | "boolean"; help: string; required?: boolean }>;

export interface Command {
  name: string;
  summary: string;
  options: OptionSpec;
  /** Whether the service's settings (--data-dir, --mqtt-port, …) apply. */
  takesSettings: "all" | "data-dir";
  /** An option that may also be given as the one positional argument (`jinlin household export <id>`). */
  positional?: string;
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  settings: Record<string, string>;
}

export interface Io {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

export class UsageError extends Error {}

function settingNames(cmd: Command): SettingName[] {
  const all = Object.keys(SETTINGS) as SettingName[];
  return cmd.takesSettings === "all" ? all : ["DATA_DIR", "LOG_LEVEL"];
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [k, v] of Object.entries(cmd.options)) options[k] = { type: v.type };
  for (const s of settingNames(cmd)) options[flagName(s)] = { type: "string" };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: cmd.positional !== undefined });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (cmd.positional !== undefined && parsed.positionals.length > 0) {
    if (parsed.positionals.length > 1 || values[cmd.positional] !== undefined)
      throw new UsageError(`give --${cmd.positional} once, as an option or as the one argument`);
    values[cmd.positional] = parsed.positionals[0];
  }
  const settings: Record<string, string> = {};
  for (const s of settingNames(cmd)) {
    const v = values[flagName(s)];
    if (typeof v === "string") settings[flagName(s)] = v;
  }
  if (!values.help) {
    const missing = Object.entries(cmd.options).filter(([k, v]) => v.required && values[k] === undefined);
    if (missing.length) throw new UsageError(`missing ${missing.map(([k]) => `--${k}`).join(", ")}`);
  }
  return { values, settings };
}

export function commandHelp(cmd: Command): string {
  const lines = [`jinlin ${cmd.name} — ${cmd.summary}`, "", "Options:"];
  for (const [k, v] of Object.entries(cmd.options)) {
    lines.push(
      `  --${k}${v.type === "string" ? " VALUE" : ""}`.padEnd(32) +
        v.help +
        (v.required ? " (required)" : ""),
    );
  }
  for (const s of settingNames(cmd)) {
    const setting = SETTINGS[s];
    lines.push(`${`  --${flagName(s)} VALUE`.padEnd(32)}${setting.help} [env JINLIN_${s}]`);
  }
  lines.push(`${`  --help`.padEnd(32)}this text`);
  return lines.join("\n");
}
