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

if (process.argv[1]?.endsWith("profile-summary.js") && process.argv[2] && process.argv[2] !== "--parts") {
  for (const r of summariseProfile(process.argv[2], Number(process.argv[3] ?? 25)))
    process.stdout.write(`${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}  ${r.where}\n`);
}

/** Where a frame's time is charged when the profile is summarised by part of the system. */
function bucketOf(f: ProfileNode["callFrame"]): string {
  const u = f.url;
  if (!u) return f.functionName.startsWith("(") ? f.functionName : `native ${f.functionName}`;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  const d = /dist\/([^/]+)\/(?:[^/]+\/)*([^/]+)\.js/.exec(u);
  if (d) return `${d[1]}/${d[2]}`;
  if (u.startsWith("node:")) return "node internals";
  return u;
}

/**
 * Self time summed by package (node_modules/<pkg>) or Jinlin module (dist/<folder>/<file>), so a profile
 * reads as "how much went to Aedes, SQLite, zod, the rules"; plus the time inside given functions and
 * everything they called (inclusive), e.g. `authorizePublish` or `sqliteTransaction`.
 */
export function profileByPart(
  file: string,
  inclusiveOf: string[] = [],
): { parts: [string, number][]; inclusive: [string, number][] } {
  const p = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: (ProfileNode & { children?: number[] })[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parts = new Map<string, number>();
  const incl = new Map<string, number>(inclusiveOf.map((n) => [n, 0]));
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = p.timeDeltas[i] ?? 0;
    if (!n) return;
    total += dt;
    const b = bucketOf(n.callFrame);
    parts.set(b, (parts.get(b) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)?.callFrame.functionName ?? "";
      if (incl.has(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + dt);
      }
    }
  });
  const share = (m: Map<string, number>) =>
    [...m].map(([k, v]) => [k, v / total] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { parts: share(parts), inclusive: share(incl) };
}

if (process.argv[1]?.endsWith("profile-summary.js") && process.argv[2] === "--parts" && process.argv[3]) {
  const { parts, inclusive } = profileByPart(process.argv[3], process.argv.slice(4));
  for (const [k, v] of [...parts.slice(0, 40), ["--- inclusive", 0] as [string, number], ...inclusive])
    process.stdout.write(`${(v * 100).toFixed(1).padStart(5)}%  ${k}\n`);
}
