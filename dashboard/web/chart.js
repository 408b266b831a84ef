// Hand-written canvas charts: water use per interval (with an optional normal band and an alert marker)
// and a timeline of every sensor of a home. Canvas keeps a month of minute data cheap to draw, and
// drawing through the canvas API needs nothing from the CSP beyond 'self'.
import { h } from "./dom.js";
import { getLang, t } from "./i18n.js";
import { zoneParts } from "./zone.js";

const COLORS = {
  bar: "#3a86c8",
  noData: "rgba(120,120,120,0.16)",
  band: "rgba(46,160,110,0.18)",
  grid: "#e3e6ea",
  text: "#5b6470",
  marker: "#d0342c",
};
const ACTIVITY = {
  water: "#3a86c8",
  door: "#e08a1e",
  motion: "#2e9e6e",
  power: "#8a5cc8",
  climate: "#c8a23a",
  button: "#d0342c",
};

/** A canvas that fills its box and redraws at the device's pixel ratio when the box changes width. @param {string} label @param {number} height @param {(ctx: CanvasRenderingContext2D, w: number, h: number) => void} draw */
function canvasBox(label, height, draw) {
  const canvas = /** @type {HTMLCanvasElement} */ (h("canvas", { role: "img", "aria-label": label }));
  const box = h("div.chart", null, canvas);
  let lastWidth = 0;
  const paint = () => {
    const w = box.clientWidth;
    if (w === 0 || w === lastWidth) return;
    lastWidth = w;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${height}px`;
    const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    ctx.scale(dpr, dpr);
    ctx.font = "11px system-ui, sans-serif";
    draw(ctx, w, height);
  };
  new ResizeObserver(paint).observe(box);
  return box;
}

/**
 * Axis labels on the home's clock: hours for a day, weekdays for a week, dates for a month.
 * @param {number} spanMs @param {string} [timeZone]
 */
function tickFormat(spanMs, timeZone) {
  const lang = getLang();
  if (spanMs <= 2 * 86_400_000)
    return {
      every: spanMs <= 86_400_000 ? 3 : 6,
      fmt: new Intl.DateTimeFormat(lang, { hour: "2-digit", hour12: false, timeZone }),
    };
  if (spanMs <= 8 * 86_400_000)
    return { every: 24, fmt: new Intl.DateTimeFormat(lang, { weekday: "short", timeZone }) };
  return {
    every: 24 * 5,
    fmt: new Intl.DateTimeFormat(lang, { month: "numeric", day: "numeric", timeZone }),
  };
}

/** @param {CanvasRenderingContext2D} ctx @param {number} from @param {number} to @param {(ms: number) => number} x @param {number} bottom @param {string} [timeZone] */
function timeAxis(ctx, from, to, x, bottom, timeZone) {
  const { every, fmt } = tickFormat(to - from, timeZone);
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = "center";
  // Ticks on the home's local hour boundaries, looked for every quarter hour so that zones a half or
  // a quarter hour off UTC (India, Nepal) get theirs too.
  const step = 900_000;
  let lastX = Number.NEGATIVE_INFINITY;
  for (let ms = Math.ceil(from / step) * step; ms < to; ms += step) {
    const d = zoneParts(ms, timeZone);
    if (d.minute !== 0) continue;
    const onTick = every >= 24 ? d.hour === 0 && (every === 24 || d.day % 5 === 1) : d.hour % every === 0;
    if (!onTick || x(ms) - lastX < 36) continue;
    lastX = x(ms);
    ctx.fillText(fmt.format(ms), x(ms), bottom + 13);
    ctx.fillRect(x(ms), bottom, 1, 3);
  }
}

/**
 * Water use per interval as bars. Intervals without any reading are shaded grey ("no data" is not
 * "no water"). `band`: the home's usual range per interval (GET …/water/normal), drawn behind the bars;
 * its `everyMs` may differ from the bars' (an alert's 15 min bars over hourly usual litres are scaled to
 * the bar's interval). `timeZone`: the home's, for the axis.
 * @param {{ buckets: { start: number, liters: number | null }[], everyMs: number, from: number, to: number }} data
 * @param {{ band?: { start: number, low: number, high: number }[], bandEveryMs?: number, marker?: number | null, height?: number, timeZone?: string }} [opts]
 */
export function waterChart(data, opts = {}) {
  const total = data.buckets.reduce((s, b) => s + (b.liters ?? 0), 0);
  const label = t("chart.water.aria", { liters: total.toFixed(1) });
  return canvasBox(label, opts.height ?? 180, (ctx, w, hgt) => {
    const left = 40;
    const right = 6;
    const top = 10;
    const bottom = hgt - 20;
    const from = data.buckets[0]?.start ?? data.from;
    const to = data.to;
    const x = (/** @type {number} */ ms) => left + ((ms - from) / (to - from)) * (w - left - right);
    const bandEvery = opts.bandEveryMs ?? data.everyMs;
    const scale = data.everyMs / bandEvery;
    const band = (opts.band ?? []).map((b) => ({ ...b, low: b.low * scale, high: b.high * scale }));
    const peak = Math.max(1, ...data.buckets.map((b) => b.liters ?? 0), ...band.map((b) => b.high));
    const max = niceCeil(peak);
    const y = (/** @type {number} */ v) => bottom - (v / max) * (bottom - top);
    ctx.fillStyle = COLORS.text;
    ctx.textAlign = "right";
    for (const v of [0, max / 2, max]) {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, Math.round(y(v)), w - left - right, 1);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(`${+v.toFixed(1)}${v === max ? " L" : ""}`, left - 4, y(v) + 4);
    }
    ctx.fillStyle = COLORS.band;
    // A band of 0–0 L still shows, as a thin line on the axis: "usually no water at this hour".
    for (const b of band)
      ctx.fillRect(
        x(b.start),
        y(b.high) - 1,
        x(b.start + bandEvery) - x(b.start),
        Math.max(2, y(b.low) - y(b.high) + 1),
      );
    for (const b of data.buckets) {
      const x0 = x(b.start);
      const bw = Math.max(1, x(b.start + data.everyMs) - x0 - (data.buckets.length > 200 ? 0 : 1));
      if (b.liters === null) {
        ctx.fillStyle = COLORS.noData;
        ctx.fillRect(x0, top, bw, bottom - top);
      } else if (b.liters > 0) {
        ctx.fillStyle = COLORS.bar;
        ctx.fillRect(x0, y(b.liters), bw, bottom - y(b.liters));
      }
    }
    if (opts.marker) {
      ctx.fillStyle = COLORS.marker;
      ctx.fillRect(Math.round(x(opts.marker)), top, 2, bottom - top);
    }
    timeAxis(ctx, from, to, x, bottom, opts.timeZone);
  });
}

/** The legend under a water chart: grey means no data, and the usual range when there is one. @param {boolean} hasBand */
export function waterLegend(hasBand) {
  return h(
    "p.muted.small.legend",
    { "data-testid": "water-legend" },
    hasBand
      ? h("span.swatch-band", {
          "data-testid": "band-legend",
          title: t("chart.bandHelp"),
          text: t("chart.band"),
        })
      : null,
    hasBand ? " · " : null,
    t("chart.legend"),
    hasBand ? null : ` · ${t("chart.noBand")}`,
  );
}

/** @param {number} v */
function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Whether a reading shows someone doing something (a tap, a door, a step, a press, an appliance). @param {any} r */
function active(r) {
  const f = r.fields ?? {};
  if (r.kind === "water") return (r.consumedLiters ?? 0) > 0;
  if (r.kind === "door") return f.open === true;
  if (r.kind === "motion") return f.detected === true;
  if (r.kind === "button") return f.pressed === true;
  if (r.kind === "power") return (f.watts ?? 0) > 30;
  return false;
}

/**
 * One row per device: a coloured tick for every reading that shows activity, a faint one for the rest
 * (heartbeats, closed doors, zero flow), so silence and activity are both visible.
 * @param {{ rows: { label: string, kind: string, readings: any[] }[], from: number, to: number, timeZone?: string }} data
 */
export function sensorTimeline(data) {
  const rowH = 30;
  const height = 20 + rowH * Math.max(1, data.rows.length);
  return canvasBox(t("chart.timeline.aria", { n: data.rows.length }), height, (ctx, w) => {
    const left = 96;
    const x = (/** @type {number} */ ms) =>
      left + ((ms - data.from) / (data.to - data.from)) * (w - left - 6);
    data.rows.forEach((row, i) => {
      const top = i * rowH + 4;
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, top + rowH - 6, w - left - 6, 1);
      ctx.fillStyle = COLORS.text;
      ctx.textAlign = "left";
      ctx.fillText(row.label.slice(0, 16), 2, top + rowH / 2 + 2);
      const color = ACTIVITY[/** @type {keyof typeof ACTIVITY} */ (row.kind)] ?? COLORS.text;
      for (const r of row.readings) {
        const on = active(r);
        ctx.fillStyle = on ? color : "rgba(91,100,112,0.35)";
        const tall = on ? rowH - 10 : 6;
        ctx.fillRect(Math.round(x(r.ts)), top + rowH - 6 - tall, on ? 2 : 1, tall);
      }
    });
    timeAxis(ctx, data.from, data.to, x, height - 20, data.timeZone);
  });
}
