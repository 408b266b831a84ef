import { get, serverNow } from "../api.js";
import { fmtDuration, h, section } from "../dom.js";
import { t } from "../i18n.js";

const WINDOWS = { 7: "metrics.7d", 30: "metrics.30d", 90: "metrics.90d" };

/** @param {string} label @param {any} s */
function table(label, s) {
  const row = (/** @type {string} */ key, /** @type {any} */ d) =>
    h(
      "tr",
      null,
      h("th", { text: t(key) }),
      h("td", { text: String(d.count) }),
      h("td", { text: fmtDuration(d.medianMs) }),
      h("td", { text: fmtDuration(d.p90Ms) }),
    );
  return h(
    "div.metric",
    null,
    h("h3", { text: `${label} · ${t("metrics.alerts", { n: s.alerts })}` }),
    h(
      "table",
      null,
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th"),
          h("th", { text: t("metrics.count") }),
          h("th", { text: t("metrics.median") }),
          h("th", { text: t("metrics.p90") }),
        ),
      ),
      h(
        "tbody",
        null,
        row("metrics.toAck", s.toAcknowledge),
        row("metrics.toWay", s.toOnMyWay),
        row("metrics.toArrive", s.toArrive),
      ),
    ),
  );
}

/** Response times: raise → acknowledge / on my way / arrived; overall, per grid, per worker. @param {HTMLElement} view @param {string[]} params */
export default async function metrics(view, params) {
  const days = Number(params[0]) in WINDOWS ? Number(params[0]) : 30;
  const to = (await serverNow()) + 1;
  const r = await get(`/api/reports/response-times?from=${to - days * 86_400_000}&to=${to}`);
  view.append(
    h("h1", { text: t("nav.metrics") }),
    h(
      "div.tabs",
      null,
      Object.entries(WINDOWS).map(([d, key]) =>
        h(`a${Number(d) === days ? ".active" : ""}`, { href: `#/metrics/${d}`, text: t(key) }),
      ),
    ),
    section("metrics.overall", table(t("metrics.all"), r.overall)),
    r.byGrid.length
      ? section(
          "metrics.byGrid",
          r.byGrid.map((/** @type {any} */ g) => table(g.gridPath, g)),
        )
      : null,
    r.byWorker.length
      ? section(
          "metrics.byWorker",
          r.byWorker.map((/** @type {any} */ w) => table(w.name ?? w.personId, w)),
        )
      : null,
  );
}
