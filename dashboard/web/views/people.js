import { get, patch, post, put, seg } from "../api.js";
import { badge, button, field, formValues, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { LANGS, t } from "../i18n.js";

const ROLES = ["worker", "operator", "family"];
const DUTIES = ["primary", "backup", "supervisor"];

/** A password shown once. @param {string} password */
function passwordOnce(password) {
  return h(
    "div.credentials",
    { role: "alert", "data-testid": "new-password" },
    h("strong", { text: t("people.passwordOnce") }),
    h("input", { readonly: true, value: password, "aria-label": t("people.passwordOnce") }),
  );
}

/** People, their grid duties, and the grid tree (operators only). @param {HTMLElement} view */
export default async function people(view) {
  const list = h("div.list", { "data-testid": "people" });
  const shown = h("div");
  const gridList = h("div.list");
  /** @type {any[]} */
  let grids = [];
  const gridOptions = () => grids.map((g) => h("option", { value: g.path, text: g.path }));
  const gridSelect = (/** @type {string} */ name) => h("select", { name }, gridOptions());
  // The new person's grid: its options follow the grid list (a grid added here is offered at once).
  const newPersonGrid = h("select", { name: "gridPath" });
  const load = async () => {
    const [p, g] = await Promise.all([get("/api/people"), get("/api/grids")]);
    grids = g.grids;
    const chosen = /** @type {HTMLSelectElement} */ (newPersonGrid).value;
    replace(newPersonGrid, gridOptions());
    if (chosen) /** @type {HTMLSelectElement} */ (newPersonGrid).value = chosen;
    replace(
      list,
      p.people.map((/** @type {any} */ x) => personCard(x, load, shown, gridSelect)),
    );
    replace(
      gridList,
      grids.map((x) =>
        h(
          "div.item",
          null,
          h(
            "div.grow",
            null,
            h("strong", { text: x.name || x.path }),
            h("div.muted.small", { text: `${x.path} · ${x.level}` }),
          ),
        ),
      ),
    );
  };
  await load();
  /** @type {HTMLFormElement} */
  const create = /** @type {any} */ (
    h(
      "form",
      {
        "data-testid": "person-form",
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(create);
          await act(create.querySelector("button[type=submit]"), async () => {
            const r = await post("/api/people", {
              name: v.name,
              role: v.role,
              login: v.login,
              language: v.language,
              ...(v.email ? { email: v.email } : {}),
              ...(v.phone ? { phone: v.phone } : {}),
              duties: v.role === "worker" && v.gridPath ? [{ gridPath: v.gridPath, duty: v.duty }] : [],
            });
            replace(shown, passwordOnce(r.password));
            create.reset();
            await load();
          });
        },
      },
      field("account.name", h("input", { name: "name", required: true })),
      field(
        "account.role",
        h(
          "select",
          { name: "role" },
          ROLES.map((r) => h("option", { value: r, text: t(`role.${r}`) })),
        ),
      ),
      field("login.login", h("input", { name: "login", required: true, autocapitalize: "none" })),
      field("signup.email", h("input", { name: "email", type: "email" })),
      field("signup.phone", h("input", { name: "phone", type: "tel" })),
      field(
        "account.lang",
        h(
          "select",
          { name: "language" },
          LANGS.map((l) => h("option", { value: l, text: t(`lang.${l}`) })),
        ),
      ),
      field("people.grid", newPersonGrid),
      field(
        "people.duty",
        h(
          "select",
          { name: "duty" },
          DUTIES.map((d) => h("option", { value: d, text: t(`duty.${d}`) })),
        ),
      ),
      h("button.primary", { type: "submit", text: t("people.add") }),
    )
  );
  /** @type {HTMLFormElement} */
  const gridForm = /** @type {any} */ (
    h(
      "form",
      {
        onsubmit: async (/** @type {SubmitEvent} */ e) => {
          e.preventDefault();
          const v = formValues(gridForm);
          if (
            await act(
              gridForm.querySelector("button"),
              () => post("/api/grids", { path: v.path, ...(v.name ? { name: v.name } : {}) }),
              t("people.gridAdded"),
            )
          ) {
            gridForm.reset();
            await load();
          }
        },
      },
      field(
        "people.gridPath",
        h("input", {
          name: "path",
          required: true,
          placeholder: "fuzhou/gulou/c1/grid-1",
          autocapitalize: "none",
        }),
      ),
      field("people.gridName", h("input", { name: "name" })),
      h("button.primary", { type: "submit", text: t("people.addGrid") }),
    )
  );
  view.append(
    h("h1", { text: t("nav.people") }),
    shown,
    list,
    section("people.add", h("details.add", null, h("summary", { text: t("people.add") }), create)),
    section(
      "people.grids",
      gridList,
      h("details.add", null, h("summary", { text: t("people.addGrid") }), gridForm),
    ),
  );
}

/** @param {any} p @param {() => Promise<void>} reload @param {HTMLElement} shown @param {(name: string) => HTMLElement} gridSelect */
function personCard(p, reload, shown, gridSelect) {
  const setDuties = (/** @type {any[]} */ duties, /** @type {HTMLButtonElement} */ btn) =>
    act(
      btn,
      () =>
        put(`/api/people/${seg(p.id)}/duties`, {
          duties: duties.map((d) => ({ gridPath: d.path, duty: d.duty })),
        }).then(reload),
      t("people.saved"),
    );
  const addGrid = gridSelect("gridPath");
  addGrid.setAttribute("aria-label", t("people.grid"));
  const addDuty = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { "aria-label": t("people.duty") },
      DUTIES.map((d) => h("option", { value: d, text: t(`duty.${d}`) })),
    )
  );
  return h(
    "article.card",
    { "data-person": p.id },
    h(
      "div.row",
      null,
      h("h2.grow", { text: p.name }),
      badge(p.disabled ? "revoked" : "ok", t(`role.${p.role}`)),
    ),
    h("p.muted", { text: [p.login, p.email, p.phone].filter(Boolean).join(" · ") }),
    p.role === "worker"
      ? h(
          "div",
          null,
          p.duties.map((/** @type {any} */ d, /** @type {number} */ i) =>
            h(
              "div.item",
              null,
              h("span.grow", { text: `${d.path} · ${t(`duty.${d.duty}`)}` }),
              button("common.delete", {
                class: "small danger",
                onclick: (/** @type {MouseEvent} */ e) =>
                  setDuties(
                    p.duties.filter((/** @type {any} */ _, /** @type {number} */ j) => j !== i),
                    /** @type {any} */ (e.currentTarget),
                  ),
              }),
            ),
          ),
          h(
            "div.row",
            null,
            addGrid,
            addDuty,
            button("people.addDuty", {
              class: "small",
              onclick: (/** @type {MouseEvent} */ e) =>
                setDuties(
                  [
                    ...p.duties,
                    { path: /** @type {HTMLSelectElement} */ (addGrid).value, duty: addDuty.value },
                  ],
                  /** @type {any} */ (e.currentTarget),
                ),
            }),
          ),
        )
      : null,
    h(
      "div.row",
      null,
      button(p.disabled ? "people.enable" : "people.disable", {
        class: "small",
        onclick: (/** @type {MouseEvent} */ e) =>
          act(
            /** @type {any} */ (e.currentTarget),
            () => patch(`/api/people/${seg(p.id)}`, { disabled: !p.disabled }).then(reload),
            t("people.saved"),
          ),
      }),
      p.login
        ? button("people.reset", {
            class: "small",
            onclick: (/** @type {MouseEvent} */ e) =>
              act(/** @type {any} */ (e.currentTarget), async () => {
                if (!confirm(t("people.confirmReset"))) return;
                const r = await post(`/api/people/${seg(p.id)}/password-reset`);
                replace(shown, passwordOnce(r.password));
                window.scrollTo(0, 0);
              }),
          })
        : null,
    ),
  );
}
