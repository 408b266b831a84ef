import { get, qs } from "../api.js";
import { button, fmtTime, h } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

/** The audit log, newest first, paged with `before`; filter by household or actor. @param {HTMLElement} view */
export default async function audit(view) {
  const people = new Map((await get("/api/people")).people.map((/** @type {any} */ p) => [p.id, p.name]));
  // The placeholder says what to type; a placeholder is no label, so each filter is named as well.
  const household = /** @type {HTMLInputElement} */ (
    h("input", { placeholder: t("audit.household"), "aria-label": t("audit.household") })
  );
  const actor = /** @type {HTMLInputElement} */ (
    h("input", { placeholder: t("audit.actor"), "aria-label": t("audit.actor") })
  );
  const body = h("tbody");
  const more = button("audit.more", { class: "small" });
  /** @type {number | null} */
  let next = null;
  const load = async (/** @type {boolean} */ reset) => {
    if (reset) {
      body.replaceChildren();
      next = null;
    }
    const r = await get(
      `/api/audit${qs({ householdId: household.value.trim(), actor: actor.value.trim(), before: next, limit: 50 })}`,
    );
    next = r.next;
    more.hidden = next === null;
    for (const e of r.entries)
      body.append(
        h(
          "tr",
          { "data-audit": e.id },
          h("td", { text: fmtTime(e.at) }),
          h("td", { text: people.get(e.actor) ?? e.actor }),
          h("td", { text: t(`audit.${e.action}`) }),
          h("td", { text: e.householdId ?? "—" }),
          h("td.mono", { text: e.what }),
          h("td.mono", { text: e.detail ? JSON.stringify(e.detail) : "" }),
        ),
      );
  };
  more.addEventListener("click", () => act(more, () => load(false)));
  view.append(
    h("h1", { text: t("nav.audit") }),
    h(
      "form.row",
      {
        onsubmit: (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          void act(null, () => load(true));
        },
      },
      household,
      actor,
      h("button", { type: "submit", text: t("audit.filter") }),
    ),
    h(
      "div.scroll",
      null,
      h(
        "table.audit",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["audit.at", "audit.who", "audit.action", "audit.household", "audit.what", "audit.detail"].map(
              (k) => h("th", { text: t(k) }),
            ),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  await load(true);
}
