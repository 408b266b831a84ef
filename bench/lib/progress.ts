/**
 * The progress line on stderr: rewritten in place on a terminal, one line every few seconds otherwise
 * (CI logs). Tables go to stdout, so `npm run bench > out.md` keeps only the tables.
 */
export function createProgress(totalSteps: number) {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let step = 0;
  let title = "";
  let lastLine = 0;
  const prefix = () => `[${step}/${totalSteps} ${Math.round((Date.now() - started) / 1000)}s] ${title}`;
  return {
    step(name: string): void {
      step++;
      title = name;
      if (tty) process.stderr.write("\r\x1b[2K");
      process.stderr.write(`${prefix()}\n`);
    },
    update(detail: string): void {
      const line = `${prefix()}: ${detail}`;
      if (tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      else if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    note(text: string): void {
      if (tty) process.stderr.write("\r\x1b[2K");
      process.stderr.write(`  ${text}\n`);
    },
    done(): void {
      if (tty) process.stderr.write("\r\x1b[2K");
      process.stderr.write(`done in ${Math.round((Date.now() - started) / 1000)} s\n`);
    },
  };
}

export type Progress = ReturnType<typeof createProgress>;

/** A progress callback for a load run: readings done of a total, and the rate over the last second. */
export function loadProgress(p: Progress, total: number, unit = "readings") {
  let lastT = performance.now();
  let lastN = 0;
  let shown = 0;
  return (n: number) => {
    const now = performance.now();
    if (now - lastT >= 1000) {
      shown = ((n - lastN) * 1000) / (now - lastT);
      lastT = now;
      lastN = n;
    }
    p.update(
      `${n.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit} (${Math.round(shown).toLocaleString("en-US")}/s)`,
    );
  };
}
