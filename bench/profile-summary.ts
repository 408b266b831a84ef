import { readFileSync } from "node:fs";

/** The top self-time functions of a V8 .cpuprofile (node --cpu-prof), as Markdown rows. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export function summariseProfile(file: string, top = 15): { name: string; where: string; share: number }[] {
  const p = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = p.timeDeltas[i] ?? 0;
    if (!n) return;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist)\//, "$1/")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"}\t${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => {
      const [name, where] = k.split("\t");
      return { name: name!, where: where!, share: v / total };
    });
}

if (process.argv[1]?.endsWith("profile-summary.js") && process.argv[2]) {
  for (const r of summariseProfile(process.argv[2], Number(process.argv[3] ?? 25)))
    process.stdout.write(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}  ${r.where}\n`);
}
