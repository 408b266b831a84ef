import { del, get, post, put, seg, serverNow } from "../api.js";
import { button, field, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";
import { fromZonedInput, toZonedInput } from "../zone.js";

const REASONS = ["hospital", "travel", "other"];

/**
 * Planned absences of a home (hospital, travel): list, add, edit, cancel. While one holds, the rules
 * raise no inactivity alerts. Dates are entered and shown on the home's clock (`timeZone`).
 * @param {string} householdId @param {string} [timeZone]
 */
export function absencesSection(householdId, timeZone) {
  const localInput = (/** @type {number} */ ms) => toZonedInput(ms, timeZone);
  /** The service's clock when the list was loaded: the default start of a new absence. */
  let now = Date.now();
  const list = h("div.list", { "data-testid": "absences" });
  const base = `/api/households/${seg(householdId)}/absences`;

  /** @param {any} [existing] @param {HTMLElement} [slot] */
  const form = (existing, slot) => {
    /** @type {HTMLFormElement} */
    const f = /** @type {any} */ (
      h(
        "form.absence-form",
        {
          onsubmit: async (/** @type {SubmitEvent} */ e) => {
            e.preventDefault();
            const data = new FormData(f);
            const body = {
              from: fromZonedInput(String(data.get("from")), timeZone),
              to: fromZonedInput(String(data.get("to")), timeZone),
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
    const [{ absences }, serviceNow] = await Promise.all([get(base), serverNow()]);
    now = serviceNow;
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
            h("div.muted", { text: `${fmtTime(a.from, timeZone)} – ${fmtTime(a.to, timeZone)}` }),
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
