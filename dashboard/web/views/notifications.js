import { get, post, qs, seg } from "../api.js";
import { button, fmtDuration, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

const STATUSES = ["", "pending", "parked", "sent"];

/** The notification outbox for operators: stats, items newest first, retry of parked ones. @param {HTMLElement} view */
export default async function notifications(view) {
  const stats = h("div.row", { "data-testid": "notify-stats" });
  const body = h("tbody");
  const status = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { "data-testid": "notify-status", onchange: () => void act(null, load) },
      STATUSES.map((s) => h("option", { value: s, text: t(s ? `notify.status.${s}` : "notify.all") })),
    )
  );
  const load = async () => {
    const r = await get(`/api/notifications${qs({ status: status.value, limit: 200 })}`);
    const s = r.stats ?? {};
    replace(
      stats,
      h("span", { text: t("notify.depth", { n: s.depth ?? 0 }) }),
      h("span", { text: t("notify.oldest", { d: fmtDuration(s.oldestAgeMs ?? 0) }) }),
      h("span", { text: t("notify.retrying", { n: s.retrying ?? 0 }) }),
      h("span", { text: t("notify.parked", { n: s.parked ?? 0 }) }),
    );
    replace(
      body,
      r.items.length
        ? r.items.map((/** @type {any} */ n) => {
            const retry =
              n.status === "parked"
                ? /** @type {HTMLButtonElement} */ (
                    button("notify.retry", { class: "small", "data-retry": n.id })
                  )
                : null;
            retry?.addEventListener("click", () =>
              act(
                retry,
                async () => {
                  await post(`/api/notifications/${seg(n.id)}/retry`);
                  await load();
                },
                t("notify.retried"),
              ),
            );
            return h(
              "tr",
              { "data-notification": n.id },
              h("td", { text: fmtTime(n.createdAt) }),
              h("td", { text: t(`notify.status.${n.status}`) }),
              h("td", { text: n.channel }),
              h("td.mono", { text: n.template }),
              h("td", { text: String(n.attempts) }),
              h("td.mono", { text: n.lastError ?? "" }),
              h("td", null, retry),
            );
          })
        : h("tr", null, h("td", { colspan: "7", class: "muted", text: t("notify.none") })),
    );
  };
  view.append(
    h("h1", { text: t("nav.notifications") }),
    section(
      "notify.stats",
      stats,
      h("label.field", null, h("span.label", { text: t("notify.filter") }), status),
    ),
    h(
      "div.scroll",
      null,
      h(
        "table",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            [
              "notify.at",
              "notify.statusCol",
              "notify.channel",
              "notify.template",
              "notify.attempts",
              "notify.lastError",
              "",
            ].map((k) => h("th", { text: k ? t(k) : "" })),
          ),
        ),
        body,
      ),
    ),
  );
  await load();
}
