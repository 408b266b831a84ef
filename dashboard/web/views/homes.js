import { get, post, seg } from "../api.js";
import { field, formValues, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

/** Households in scope, with a filter; operators also add one directly. @param {HTMLElement} view @param {string[]} _p @param {any} ctx */
export default async function homes(view, _p, ctx) {
  const [{ households }, { grids }] = await Promise.all([get("/api/households"), get("/api/grids")]);
  const list = h("div.list", { "data-testid": "homes" });
  const filter = /** @type {HTMLInputElement} */ (
    h("input", { type: "search", placeholder: t("homes.filter"), "aria-label": t("homes.filter") })
  );
  const paint = () => {
    const q = filter.value.trim().toLowerCase();
    const shown = households.filter(
      (/** @type {any} */ x) => !q || `${x.resident} ${x.address} ${x.id}`.toLowerCase().includes(q),
    );
    replace(
      list,
      shown.length === 0 ? h("p.muted", { text: t("homes.none") }) : null,
      shown.map((/** @type {any} */ x) =>
        h(
          "a.item",
          { href: `#/home/${seg(x.id)}`, "data-household": x.id },
          h(
            "div.grow",
            null,
            h("strong", { text: x.resident }),
            // A worker must never take a paused home for a watched one.
            x.monitoringPausedAt
              ? h(
                  "div",
                  null,
                  h("span.badge.b-critical", {
                    "data-testid": "home-paused",
                    text: t("consent.notMonitored"),
                  }),
                )
              : null,
            h("div.muted", { text: x.address }),
            h("div.muted.small", { text: `${x.gridPath} · ${x.id}` }),
          ),
        ),
      ),
    );
  };
  filter.addEventListener("input", paint);
  paint();
  view.append(h("h1", { text: t("nav.homes") }), filter, list);
  if (ctx.me.account.role !== "operator") return;
  /** @type {HTMLFormElement} */
  const form = /** @type {any} */ (
    h(
      "form",
      {
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(form);
          let created = null;
          const ok = await act(
            form.querySelector("button"),
            async () => {
              created = await post("/api/households", {
                resident: v.resident,
                address: v.address,
                gridPath: v.gridPath,
                consent: v.consent === "on",
                ...(v.phone ? { phone: v.phone } : {}),
                ...(v.healthNotes ? { healthNotes: v.healthNotes } : {}),
                ...(v.accessNotes ? { accessNotes: v.accessNotes } : {}),
              });
            },
            t("homes.created"),
          );
          if (ok && created) ctx.go(`#/home/${seg(/** @type {any} */ (created).id)}`);
        },
      },
      field("reg.resident", h("input", { name: "resident", required: true })),
      field("reg.address", h("input", { name: "address", required: true })),
      field(
        "reg.grid",
        h(
          "select",
          { name: "gridPath" },
          grids.map((/** @type {any} */ g) => h("option", { value: g.path, text: g.path })),
        ),
      ),
      field("reg.phone", h("input", { name: "phone", type: "tel" })),
      field("reg.health", h("textarea", { name: "healthNotes", rows: 2 })),
      field("reg.access", h("textarea", { name: "accessNotes", rows: 2 })),
      h(
        "label.check",
        null,
        h("input", { type: "checkbox", name: "consent" }),
        h("span", { text: t("reg.consent") }),
      ),
      h("button.primary", { type: "submit", text: t("homes.add") }),
    )
  );
  view.append(section("homes.add", h("details.add", null, h("summary", { text: t("homes.add") }), form)));
}
