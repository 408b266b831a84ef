import { get, post, put, seg } from "../api.js";
import { button, field, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";
import { editorControls, json, paramsFrom, previewResult } from "./rules-ui.js";

/** A grid's homes are the ones at its path or below it. @param {any} home @param {any | null} grid */
const under = (home, grid) =>
  grid === null || home.gridPath === grid.path || String(home.gridPath).startsWith(`${grid.path}/`);

/**
 * Rule thresholds for every home (global) or for one grid and the grids below it, for operators: what
 * is set now and its history, an override edited as JSON, a backtest preview on the real history of a
 * home the change reaches, then save. A home's own override is on its page (rules-ui.js).
 * @param {HTMLElement} view
 */
export default async function rules(view) {
  const [{ grids }, { households }] = await Promise.all([get("/api/grids"), get("/api/households")]);
  const scopeSelect = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { name: "scope", "data-testid": "rules-scope" },
      h("option", { value: "global", text: t("rules.global") }),
      grids.map((/** @type {any} */ g) =>
        h("option", {
          value: String(g.id),
          text: g.name && g.name !== g.path ? `${g.name} (${g.path})` : g.path,
        }),
      ),
    )
  );
  const homeSelect = /** @type {HTMLSelectElement} */ (h("select", { "data-testid": "rules-home" }));
  const current = h("div");
  const history = h("div");
  const { params, reason, days, preview } = editorControls();

  const grid = () => grids.find((/** @type {any} */ g) => String(g.id) === scopeSelect.value) ?? null;
  const base = () => (grid() ? `/api/grids/${seg(grid().id)}/rules` : "/api/rules");

  const load = async () => {
    const scope = scopeSelect.value;
    const r = await get(base());
    if (scopeSelect.value !== scope) return; // another scope was chosen meanwhile: its load shows it
    const setting = grid() ? r.settings : r.global;
    params.value = json(setting?.params ?? {});
    replace(
      current,
      setting
        ? h("p.muted", {
            "data-testid": "rules-set",
            "data-scope": scope,
            text: `${fmtTime(setting.changedAt)} · ${setting.reason}`,
          })
        : h("p.muted", { "data-testid": "rules-set", "data-scope": scope, text: t("rules.noLayers") }),
    );
    replace(
      history,
      (r.history ?? []).length
        ? [...r.history].reverse().map((/** @type {any} */ e) =>
            h("div.muted.small", {
              text: `${fmtTime(e.changedAt)} · ${e.reason} · ${e.params ? JSON.stringify(e.params) : t("rules.cleared")}`,
            }),
          )
        : h("p.muted", { text: t("rules.noHistory") }),
    );
    const homes = households.filter((/** @type {any} */ x) => under(x, grid()));
    replace(
      homeSelect,
      homes.length
        ? homes.map((/** @type {any} */ x) =>
            h("option", { value: x.id, text: `${x.resident} · ${x.address}` }),
          )
        : h("option", { value: "", text: t("rules.noHomes") }),
    );
    replace(preview);
  };
  scopeSelect.addEventListener("change", () => void act(null, load));

  const previewBtn = /** @type {HTMLButtonElement} */ (
    button("rules.preview", { "data-testid": "rules-preview-btn" })
  );
  previewBtn.addEventListener("click", () =>
    act(previewBtn, async () => {
      if (!homeSelect.value) throw { code: "JINLIN_ERR_INPUT_INVALID" };
      const r = await post(`${base()}/preview`, {
        householdId: homeSelect.value,
        params: paramsFrom(params),
        days: Number(days.value) || 30,
      });
      replace(preview, previewResult(r));
    }),
  );
  const saveBtn = /** @type {HTMLButtonElement} */ (button("rules.save", { "data-testid": "rules-save" }));
  saveBtn.addEventListener("click", () =>
    act(
      saveBtn,
      async () => {
        await put(base(), { params: paramsFrom(params), reason: reason.value });
        reason.value = "";
        await load();
      },
      t("rules.saved"),
    ),
  );

  view.append(
    h("h1", { text: t("nav.rules") }),
    h("p.muted", { text: t("rules.scopeIntro") }),
    section(
      "rules.scopeTitle",
      field("rules.scope", scopeSelect),
      current,
      field("rules.params", params),
      field("rules.reason", reason),
      field("rules.previewHome", homeSelect),
      field("rules.days", days),
      h("div.row", null, previewBtn, saveBtn),
      preview,
      h("h3", { text: t("rules.scopeHistory") }),
      history,
    ),
  );
  await load();
}
