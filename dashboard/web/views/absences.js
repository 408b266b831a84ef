import { del, get, post, put, seg } from "../api.js";
import { button, field, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

const REASONS = ["hospital", "travel", "other"];

/** datetime-local value for epoch ms, in the browser's time zone. @param {number} ms */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * Planned absences of a home (hospital, travel): list, add, edit, cancel. While one holds, the rules
 * raise no inactivity alerts.
 * @param {string} householdId
 */
export function absencesSection(householdId) {
  const list = h("div.list", { "data-testid": "absences" });
  const base = `/api/households/${seg(householdId)}/absences`;

  /** @param {any} [existing] @param {HTMLElement} [slot] */
  const form = (existing, slot) => {
    const now = Date.now();
    /** @type {HTMLFormElement} */
    const f = /** @type {any} */ (
      h(
        "form.absence-form",
        {
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const data = new FormData(f);
            const body = {
              from: new Date(String(data.get("from"))).getTime(),
              to: new Date(String(data.get("to"))).getTime(),
              reason: String(data.get("reason")),
            };
            const ok = await act(
              f.querySelector("button[type=submit]"),
              () => (existing ? put(`${base}/${existing.id}`, body) : post(base, body)),
              t("absence.saved"),
            );
            if (ok) await load();
          },
        },
        field(
          "absence.from",
          h("input", {
            name: "from",
            type: "datetime-local",
            required: true,
            value: localInput(existing?.from ?? now),
          }),
        ),
        field(
          "absence.to",
          h("input", {
            name: "to",
            type: "datetime-local",
            required: true,
            value: localInput(existing?.to ?? now + 3 * 86_400_000),
          }),
        ),
        field(
          "absence.reason",
          h(
            "select",
            { name: "reason" },
            REASONS.map((r) =>
              h("option", { value: r, selected: existing?.reason === r, text: t(`absence.${r}`) }),
            ),
          ),
        ),
        h(
          "div.row",
          null,
          h("button.primary", { type: "submit", text: t(existing ? "common.save" : "absence.add") }),
          existing ? button("common.cancel", { onclick: () => load() }) : null,
        ),
      )
    );
    if (slot) replace(slot, f);
    return f;
  };

  async function load() {
    const { absences } = await get(base);
    replace(
      list,
      absences.length === 0 ? h("p.muted", { text: t("absence.none") }) : null,
      absences.map((/** @type {any} */ a) => {
        const item = h("div.item", { "data-absence": a.id });
        return replace(
          item,
          h(
            "div.grow",
            null,
            h("strong", { text: t(`absence.${a.reason}`) }),
            h("div.muted", { text: `${fmtTime(a.from)} – ${fmtTime(a.to)}` }),
          ),
          button("common.edit", { class: "small", onclick: () => form(a, item) }),
          button("common.delete", {
            class: "small danger",
            onclick: async (/** @type {MouseEvent} */ e) => {
              if (!confirm(t("absence.confirmDelete"))) return;
              if (
                await act(
                  /** @type {any} */ (e.currentTarget),
                  () => del(`${base}/${a.id}`),
                  t("absence.deleted"),
                )
              )
                await load();
            },
          }),
        );
      }),
      h("details.add", null, h("summary", { text: t("absence.add") }), form()),
    );
  }
  void load();
  return section("absence.title", list);
}
