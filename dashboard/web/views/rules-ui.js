import { del, get, post, put, seg } from "../api.js";
import { button, field, fmtTime, h, replace, section } from "../dom.js";
import { act } from "../errors.js";
import { t } from "../i18n.js";

/** Pretty JSON for a <pre> (text only). @param {unknown} v */
export const json = (v) => JSON.stringify(v ?? {}, null, 2);

/**
 * A backtest preview: alerts per rule over the home's real history, with the parameters in force and
 * with the proposed ones. @param {any} r the answer of a …/rules/preview route
 */
export function previewResult(r) {
  const cur = r.current?.summary?.byRule ?? {};
  const pro = r.proposed?.summary?.byRule ?? {};
  const rules = [...new Set([...Object.keys(cur), ...Object.keys(pro)])];
  return [
    h("p", {
      text: t("rules.previewTotal", {
        days: r.days,
        current: r.current?.summary?.alerts ?? 0,
        proposed: r.proposed?.summary?.alerts ?? 0,
      }),
    }),
    h(
      "table",
      null,
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["rules.rule", "rules.current", "rules.proposed"].map((k) => h("th", { text: t(k) })),
        ),
      ),
      h(
        "tbody",
        null,
        rules.map((rule) =>
          h(
            "tr",
            { "data-rule": rule },
            h("td", { text: t(`rule.${rule}`) }),
            h("td", { text: String(cur[rule]?.alerts ?? 0) }),
            h("td", { text: String(pro[rule]?.alerts ?? 0) }),
          ),
        ),
      ),
    ),
  ];
}

/** The controls of an override editor: parameters (JSON), reason, preview days, and the preview's slot. */
export function editorControls() {
  return {
    params: /** @type {HTMLTextAreaElement} */ (
      h("textarea.mono", { rows: "8", "data-testid": "rules-params", spellcheck: "false" })
    ),
    reason: /** @type {HTMLInputElement} */ (
      h("input", { "data-testid": "rules-reason", maxlength: "300", placeholder: t("rules.reasonHint") })
    ),
    days: /** @type {HTMLInputElement} */ (
      h("input", { type: "number", min: "1", max: "90", value: "30", "data-testid": "rules-days" })
    ),
    preview: h("div", { "data-testid": "rules-preview" }),
  };
}

/** JSON from a textarea: an object, or an error the toast explains. @param {HTMLTextAreaElement} area @returns {Record<string, unknown>} */
export function paramsFrom(area) {
  let v;
  try {
    v = JSON.parse(area.value.trim() || "{}");
  } catch {
    throw { code: "JINLIN_ERR_INPUT_INVALID" };
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw { code: "JINLIN_ERR_INPUT_INVALID" };
  return v;
}

/**
 * Rule thresholds of one home, for operators: the parameters in force, the layers they come from and
 * their history; the home's override edited as JSON, previewed on the home's real history, then saved.
 * @param {string} id @param {string} [tz]
 */
export function rulesSection(id, tz) {
  const base = `/api/households/${seg(id)}/rules`;
  const inForce = h("div");
  const layers = h("div");
  const history = h("div");
  const { params, reason, days, preview } = editorControls();

  const parsed = () => paramsFrom(params);

  const load = async () => {
    const r = await get(base);
    replace(inForce, h("pre.mono", { "data-testid": "rules-effective", text: json(r.effective) }));
    const own = (r.layers ?? []).find(
      (/** @type {any} */ l) => l.scope === `household:${id}` && l.source === "operator",
    );
    params.value = json(own?.params ?? {});
    replace(
      layers,
      (r.layers ?? []).length
        ? r.layers.map((/** @type {any} */ l) =>
            h(
              "div.item",
              { "data-layer": `${l.scope}:${l.source}` },
              h(
                "div.grow",
                null,
                h("strong", { text: `${l.scope} · ${t(`rules.source.${l.source}`)}` }),
                h("div.muted", { text: `${fmtTime(l.changedAt, tz)} · ${l.reason}` }),
                h("pre.mono", { text: json(l.params) }),
              ),
            ),
          )
        : h("p.muted", { text: t("rules.noLayers") }),
    );
    replace(
      history,
      (r.history ?? []).length
        ? [...r.history].reverse().map((/** @type {any} */ e) =>
            h("div.muted.small", {
              text: `${fmtTime(e.changedAt, tz)} · ${t(`rules.source.${e.source}`)} · ${e.reason} · ${
                e.params ? JSON.stringify(e.params) : t("rules.cleared")
              }`,
            }),
          )
        : h("p.muted", { text: t("rules.noHistory") }),
    );
  };

  /** @param {any} r */
  const showPreview = (r) => replace(preview, previewResult(r));

  const previewBtn = /** @type {HTMLButtonElement} */ (
    button("rules.preview", { "data-testid": "rules-preview-btn" })
  );
  previewBtn.addEventListener("click", () =>
    act(previewBtn, async () =>
      showPreview(await post(`${base}/preview`, { params: parsed(), days: Number(days.value) || 30 })),
    ),
  );
  const saveBtn = /** @type {HTMLButtonElement} */ (button("rules.save", { "data-testid": "rules-save" }));
  saveBtn.addEventListener("click", () =>
    act(
      saveBtn,
      async () => {
        await put(base, { params: parsed(), reason: reason.value });
        reason.value = "";
        await load();
      },
      t("rules.saved"),
    ),
  );
  const forgetBtn = /** @type {HTMLButtonElement} */ (
    button("rules.forget", { class: "ghost", "data-testid": "rules-forget" })
  );
  forgetBtn.addEventListener("click", () =>
    act(
      forgetBtn,
      async () => {
        await del(`${base}/learned`);
        await load();
      },
      t("rules.forgotten"),
    ),
  );

  const el = section(
    "rules.title",
    h("h3", { text: t("rules.inForce") }),
    inForce,
    h("h3", { text: t("rules.layers") }),
    layers,
    h("h3", { text: t("rules.override") }),
    field("rules.params", params),
    field("rules.reason", reason),
    field("rules.days", days),
    h("div.row", null, previewBtn, saveBtn, forgetBtn),
    preview,
    h("h3", { text: t("rules.history") }),
    history,
  );
  el.setAttribute("data-testid", "rules");
  void load().catch(() => replace(inForce, h("p.error", { text: t("rules.unavailable") })));
  return el;
}
