/** A hand-written horizontal bar chart (SVG): readings/s per system, one group per traffic mix. */
export interface Bar {
  group: string;
  label: string;
  value: number;
  highlight?: boolean;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function barChart(title: string, bars: Bar[], unit: string): string {
  const W = 860;
  const left = 330;
  const barH = 20;
  const gap = 6;
  const max = Math.max(1, ...bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)));
  const groups = [...new Set(bars.map((b) => b.group))];
  const rows: string[] = [];
  let y = 50;
  for (const g of groups) {
    rows.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(g)}</text>`);
    y += 24;
    for (const b of bars.filter((x) => x.group === g)) {
      const v = Number.isFinite(b.value) ? b.value : 0;
      const w = Math.max(1, ((W - left - 110) * v) / max);
      rows.push(
        `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.highlight ? "#c0392b" : "#7f8c8d"}"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + 15}">${Math.round(v).toLocaleString("en-US")}</text>`,
      );
      y += barH + gap;
    }
    y += 10;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 30}" font-family="sans-serif" font-size="13" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    ...rows,
    `<text x="10" y="${y + 14}" fill="#555">${esc(unit)}</text>`,
    "</svg>",
    "",
  ].join("\n");
}
