#!/usr/bin/env node
import { isJinlinError } from "../core/errors.js";
import { type Command, commandHelp, type Io, parseCommandArgs, UsageError } from "./args.js";
import { alertAct, alertsList } from "./commands/alerts.js";
import { backtest } from "./commands/backtest.js";
import { demo } from "./commands/demo.js";
import { deviceAdd, deviceList, deviceRevoke, deviceRotate } from "./commands/device.js";
import { householdAdd, householdList } from "./commands/household.js";
import { influxParked } from "./commands/influx.js";
import { personAdd } from "./commands/person.js";
import { householdErase, householdExport, retentionRun } from "./commands/privacy.js";
import { provision } from "./commands/provision.js";
import { readingsCmd } from "./commands/readings.js";
import { replayCmd, weusedtoExport } from "./commands/replay.js";
import { serve } from "./commands/serve.js";
import { simulateCmd } from "./commands/simulate.js";
import { userAdd } from "./commands/user.js";
import { VERSION } from "./version.js";

const COMMANDS: Command[] = [
  serve,
  householdAdd,
  householdList,
  householdExport,
  householdErase,
  retentionRun,
  deviceAdd,
  deviceList,
  deviceRotate,
  deviceRevoke,
  readingsCmd,
  personAdd,
  userAdd,
  alertsList,
  alertAct,
  provision,
  simulateCmd,
  demo,
  replayCmd,
  weusedtoExport,
  backtest,
  influxParked,
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 4;
  return [
    `jinlin ${VERSION} — 近邻: watching over elderly people who live alone`,
    "",
    "Usage: jinlin <command> [options]   (jinlin <command> --help for its options)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join("\n");
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  for (const cmd of COMMANDS) {
    const words = cmd.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { cmd, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function main(argv: string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(mainHelp());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version") {
    io.out(VERSION);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`jinlin: unknown command '${argv.join(" ")}'\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(found.cmd, found.rest);
    if (args.values.help) {
      io.out(commandHelp(found.cmd));
      return 0;
    }
    return await found.cmd.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`jinlin ${found.cmd.name}: ${err.message}\n\n${commandHelp(found.cmd)}`);
      return 2;
    }
    if (isJinlinError(err)) {
      io.err(`jinlin ${found.cmd.name}: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
}

// `jinlin alerts | head` closes the pipe early: that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

const io: Io = {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`jinlin: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
