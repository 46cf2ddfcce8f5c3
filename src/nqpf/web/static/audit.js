// NQPF dashboard, 审计与不确定性: the JRC-style audit of the assessment (GET /api/v1/audit) and
// an uncertainty run as a background job (POST /api/v1/jobs/assess, polled with a progress
// bar, then its result: rank intervals per region and the Sobol indices of the assumptions).
// Draws what the API answers; computes nothing. Loaded after pages.js (shares its globals).
"use strict";

Object.assign(I18N.zh, {
  audit_hint: "按欧盟联合研究中心（JRC）综合指数审计的做法，检查当前评估：指标间相关与共线、分项内部一致性（Cronbach α、主成分）、有效重要性与名义权重、偏态与异常值处理、插补与小分母下限、位次稳定性和与已发表排名的对照。",
  audit_correlation: "指标相关矩阵（Pearson）", audit_reliability: "分项内部一致性（Cronbach α 与主成分）",
  audit_collinear: "高度共线的指标对", audit_importance: "有效重要性与名义权重", audit_outliers: "偏态、峰度与异常值处理",
  audit_imputed: "插补的数据格", audit_floored: "小分母下限（设为缺失后插补）", audit_small_bases: "小分母",
  audit_volatility: "位次波动最大的地区", audit_validation: "与已发表排名的对照（Spearman ρ）",
  audit_correlations: "指标与所属分项、总指数的相关", nominal_weight: "名义权重", effective_importance: "有效重要性",
  uncertainty: "不确定性分析（位次区间）",
  uncertainty_hint: "在后台重复评估：随机改变标准化方法、权重方法、聚合方式等假设（Sobol 抽样），给出每个地区位次的 5%–95% 区间及各假设对结果的影响。",
  sample_n: "抽样基数 N", run: "运行", job_queued: "排队中", job_running: "计算中：{done}/{total} 次评估",
  job_done: "完成：{total} 次评估", job_failed: "失败", rank_interval: "位次区间（5%–95%，{year} 年）",
  median_rank: "位次中位数", point_rank: "当前位次", sobol: "各假设的影响（Sobol 指数）",
  first_order: "一阶 S1", total_order: "总效应 ST", none_imputed: "没有插补的数据格。",
  opt_framework: "框架", opt_normalize: "标准化", opt_scope: "标准化范围", opt_weights: "赋权", opt_aggregate: "聚合",
});
Object.assign(I18N.en, {
  audit_hint: "The assessment audited as the JRC audits composite indicators: correlations and collinearity, internal consistency of the pillars (Cronbach's α, principal components), effective importance against nominal weights, skewness and outlier treatment, imputation and small-denominator floors, rank stability, and agreement with published rankings.",
  audit_correlation: "Correlation matrix of the indicators (Pearson)", audit_reliability: "Internal consistency of the pillars (Cronbach's α, PCA)",
  audit_collinear: "Collinear indicator pairs", audit_importance: "Effective importance against nominal weight",
  audit_outliers: "Skewness, kurtosis and outlier treatment", audit_imputed: "Imputed cells",
  audit_floored: "Small-denominator floors (set missing, then imputed)", audit_small_bases: "Small denominators",
  audit_volatility: "Regions with the most volatile ranks", audit_validation: "Agreement with published rankings (Spearman ρ)",
  audit_correlations: "Indicators against their pillar and the index", nominal_weight: "Nominal weight",
  effective_importance: "Effective importance", uncertainty: "Uncertainty analysis (rank intervals)",
  uncertainty_hint: "Re-runs the assessment in the background with the assumptions varied (normalisation, weights, aggregation; Sobol sampling): each region's 5–95% rank interval and each assumption's share of the variance.",
  sample_n: "Base sample N", run: "Run", job_queued: "Queued", job_running: "Running: {done} of {total} assessments",
  job_done: "Done: {total} assessments", job_failed: "Failed", rank_interval: "Rank interval (5–95%, {year})",
  median_rank: "Median rank", point_rank: "Rank", sobol: "Influence of each assumption (Sobol indices)",
  first_order: "First order S1", total_order: "Total ST", none_imputed: "No cell was imputed.",
  opt_framework: "Framework", opt_normalize: "Normalisation", opt_scope: "Scope", opt_weights: "Weights", opt_aggregate: "Aggregation",
});
Object.assign(COLS, {
  item: ["指标", "Item"], item_level: ["层级", "Level"], against: ["对照", "Against"], against_level: ["对照层级", "Level"],
  pearson: ["Pearson r", "Pearson r"], spearman: ["Spearman ρ", "Spearman ρ"], flag: ["标记", "Flag"],
  a: ["指标 A", "Indicator A"], b: ["指标 B", "Indicator B"], pillar_a: ["分项 A", "Pillar A"], pillar_b: ["分项 B", "Pillar B"],
  n_indicators: ["指标数", "Indicators"], cronbach_alpha: ["Cronbach α", "Cronbach's α"],
  pca_first_share: ["第一主成分占比", "First component"], n_eigen_gt1: ["特征值>1 个数", "Eigenvalues > 1"],
  eigenvalues: ["特征值", "Eigenvalues"], constant: ["常数", "Constant"], weight: ["权重", "Weight"],
  S_i: ["S_i", "S_i"], importance_share: ["有效重要性", "Effective importance"], ratio: ["重要性/权重", "Importance / weight"],
  skew_before: ["处理前偏度", "Skew before"], kurtosis_before: ["处理前峰度", "Kurtosis before"],
  fails_before: ["处理前超限", "Fails before"], action: ["处理", "Treatment"], points: ["处理点数", "Points"],
  skew_after: ["处理后偏度", "Skew after"], kurtosis_after: ["处理后峰度", "Kurtosis after"], fails_after: ["处理后超限", "Fails after"],
  n_imputed: ["插补格数", "Imputed cells"], denominator: ["分母指标", "Denominator"], denominator_value: ["分母值", "Denominator"],
  floor: ["下限", "Floor"], year_median: ["当年中位数", "Year median"], share_of_median: ["占中位数比例", "Share of median"],
  years: ["年数", "Years"], rank_sd: ["位次标准差", "Rank SD"], max_change: ["最大变动", "Largest change"],
  from_year: ["起始年", "From"], to_year: ["终止年", "To"], drivers: ["主要驱动指标", "Drivers"],
  measure: ["对照排名", "Ranking"], column: ["本指数的列", "Our column"], p_value: ["p 值", "p"], top_overlap: ["前列重合率", "Top overlap"],
  median_rank: ["位次中位数", "Median rank"], rank_p05: ["位次 5%", "Rank 5%"], rank_p95: ["位次 95%", "Rank 95%"],
  factor: ["假设", "Assumption"], n_levels: ["选项数", "Options"], S1: ["一阶 S1", "S1"], S1_conf: ["S1 置信半宽", "S1 ±"],
  ST: ["总效应 ST", "ST"], ST_conf: ["ST 置信半宽", "ST ±"], rank_plain_mean: ["简单平均位次", "Plain-mean rank"],
  shift: ["位次差", "Shift"], skewness: ["偏度", "Skewness"], kurtosis: ["峰度", "Kurtosis"], fails_jrc: ["超出 JRC 阈值", "Beyond JRC limits"],
  min: ["最小值", "Min"], max: ["最大值", "Max"],
});

// Indicator and pillar ids in the audit's own columns, shown by name.
const NAMED = Object.fromEntries(["a", "b", "pillar_a", "pillar_b", "denominator", "item", "against"].map((c) => [c, (v) => pillarName(String(v))]));

function drawAuditTables(body, doc) {
  const tbl = (name) => doc.tables[name];
  const matrix = tbl("correlation_matrix");
  if (matrix) {
    const ids = matrix.rows.map((r) => r[0]);
    const names = ids.map(pillarName);
    const div = chartDiv("heatmap");
    body.append(card(t("audit_correlation"), div));
    plot(div, [{type: "heatmap", x: names, y: names, z: matrix.rows.map((r) => r.slice(1)), zmin: -1, zmax: 1,
      colorscale: "RdBu", reversescale: true, hovertemplate: "%{y} · %{x}: %{z:.3f}<extra></extra>"}],
    {height: 640, margin: {l: 10, r: 10, t: 10, b: 10}, xaxis: {automargin: true, tickangle: -45}, yaxis: {automargin: true, autorange: "reversed"}});
  }
  if (tbl("reliability")) body.append(card(t("audit_reliability"), tableOf(tbl("reliability"), {cls: "reliability"})));
  if (tbl("collinear")) body.append(card(t("audit_collinear"), tableOf(tbl("collinear"), {cls: "collinear", format: NAMED})));
  const importance = tableRows(doc, "importance");
  if (importance.length) {
    const div = chartDiv("small");
    body.append(card(t("audit_importance"), div, tableOf(tbl("importance"), {cls: "importance"})));
    const names = importance.map((r) => pillarName(r.indicator));
    plot(div, [
      {type: "bar", name: t("nominal_weight"), x: names, y: importance.map((r) => r.weight)},
      {type: "bar", name: t("effective_importance"), x: names, y: importance.map((r) => r.importance_share)},
    ], {barmode: "group", height: 360, xaxis: {automargin: true, tickangle: -45}, yaxis: {tickformat: ".0%"}});
  }
  if (tbl("outliers")) {
    body.append(card(t("audit_outliers"), tableOf(tbl("outliers"), {cls: "outliers",
      columns: ["indicator", "year", "n", "skew_before", "kurtosis_before", "fails_before", "action", "points", "skew_after", "kurtosis_after", "fails_after"]})));
  }
  const imputed = tbl("imputed");
  if (imputed) {
    const col = imputed.columns.indexOf("n_imputed");
    const some = {columns: imputed.columns, rows: imputed.rows.filter((r) => r[col] > 0)};
    body.append(card(t("audit_imputed"), some.rows.length ? tableOf(some, {cls: "imputed"}) : el("p", t("none_imputed"), {class: "note"})));
  }
  if (tbl("floored")) body.append(card(t("audit_floored"), tableOf(tbl("floored"), {cls: "floored",
    columns: ["indicator", "denominator", "region", "year", "value", "denominator_value", "floor"], format: NAMED})));
  if (tbl("volatility")) body.append(card(t("audit_volatility"), tableOf(tbl("volatility"), {cls: "volatility", limit: 31,
    link: (r) => "#/region/" + r.region})));
  if (tbl("validation")) body.append(card(t("audit_validation"), tableOf(tbl("validation"), {cls: "validation"})));
  if (tbl("correlations")) body.append(card(t("audit_correlations"), tableOf(tbl("correlations"), {cls: "correlations", limit: 100, format: NAMED})));
  body.append(allTables(doc, ["correlation_matrix"]), resultMeta(doc));
}

// The assessment's options, offered as the server's OpenAPI document lists them for /audit
// (normalisation 'target' needs per-indicator targets, which the page cannot give).
const AUDIT_OPTIONS = ["framework", "normalize", "scope", "weights", "aggregate"];

async function auditOptions() {
  const form = $("audit-options");
  if (!form.childElementCount) {
    const params = ((await openapiDoc()).paths?.["/api/v1/audit"]?.get?.parameters) || [];
    for (const name of AUDIT_OPTIONS) {
      const schema = (params.find((p) => p.name === name) || {}).schema || {};
      const choices = (schema.enum || []).filter((v) => v !== "target");
      if (!choices.length) continue;
      const pick = el("select", null, {name, id: "audit-" + name});
      for (const v of choices) pick.append(el("option", v, {value: v}));
      pick.value = schema.default ?? choices[0];
      pick.addEventListener("change", () => { state.uncertainty = null; $("uncertainty-body").replaceChildren(); $("uncertainty-state").textContent = ""; drawAudit(); });
      const label = el("label"); label.append(el("span", t("opt_" + name), {"data-i18n": "opt_" + name}), " ", pick);
      form.append(label);
    }
  }
  return Object.fromEntries([...new FormData(form).entries()]);
}

async function drawAudit() {
  const body = $("audit-body");
  let options = {};
  try { options = await auditOptions(); } catch { /* the defaults */ }
  const query = new URLSearchParams(options).toString();
  const key = state.lang + "?" + query;
  if (body.dataset.key === key && body.childElementCount) return;  // drawn already
  body.dataset.key = key;
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  try {
    const doc = await fetchResult("/api/v1/audit" + (query ? "?" + query : ""));
    if (body.dataset.key !== key) return;
    body.replaceChildren();
    drawAuditTables(body, doc);
  } catch (error) { body.replaceChildren(failure(error)); }
  if (state.uncertainty) drawUncertainty(state.uncertainty);
}

// ------------------------------------------------------------------ uncertainty (a job)
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function jobText(job) {
  const p = job.progress || {};
  if (job.status === "done") return tr("job_done", {total: p.total});
  if (job.status === "failed") return `${t("job_failed")}: ${job.error || ""}`;
  if (job.status === "running" && p.total) return tr("job_running", {done: p.done, total: p.total});
  return t("job_queued");
}

async function runUncertainty() {
  const bar = $("uncertainty-progress"); const out = $("uncertainty-state"); const button = $("uncertainty-form").querySelector("button");
  bar.hidden = false; bar.value = 0; button.disabled = true;
  $("uncertainty-body").replaceChildren();
  try {
    const options = await auditOptions();
    let job = await api("/api/v1/jobs/assess", {method: "POST", body: {...options, uncertainty: Number($("uncertainty-n").value)}});
    while (job.status !== "done" && job.status !== "failed") {
      bar.value = (job.progress && job.progress.fraction) || 0;
      out.textContent = jobText(job);
      await sleep(500);
      job = await api(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
    }
    bar.value = job.status === "done" ? 1 : bar.value;
    out.textContent = jobText(job);
    if (job.status === "done") {
      state.uncertainty = await api(job.result_url);
      drawUncertainty(state.uncertainty);
    }
  } catch (error) { out.textContent = `${t("failed")}: ${error.message}`; }
  button.disabled = false;
}

function drawUncertainty(doc) {
  const body = $("uncertainty-body");
  body.replaceChildren();
  const bands = tableRows(doc, "rank_bands");
  if (bands.length) {
    const years = [...new Set(bands.map((r) => r.year))].sort();
    const year = years[years.length - 1];
    const mine = bands.filter((r) => r.year === year).sort((a, b) => a.rank - b.rank);
    const names = mine.map((r) => regionName(r.region));
    const div = chartDiv("bands");
    body.append(el("h4", tr("rank_interval", {year})), div);
    plot(div, [
      {type: "scatter", mode: "markers", name: t("median_rank"), y: names, x: mine.map((r) => r.median_rank),
        error_x: {type: "data", symmetric: false, array: mine.map((r) => r.rank_p95 - r.median_rank),
          arrayminus: mine.map((r) => r.median_rank - r.rank_p05)}},
      {type: "scatter", mode: "markers", name: t("point_rank"), y: names, x: mine.map((r) => r.rank), marker: {symbol: "diamond-open", size: 9}},
    ], {height: 720, yaxis: {autorange: "reversed", automargin: true}, xaxis: {title: {text: t("rank")}, dtick: 5}, margin: {l: 10, r: 10, t: 10, b: 40}});
    const table = {columns: ["rank", "region", "median_rank", "rank_p05", "rank_p95"], rows: mine.map((r) => [r.rank, r.region, r.median_rank, r.rank_p05, r.rank_p95])};
    body.append(tableOf(table, {cls: "rank-bands", limit: 31, link: (r) => "#/region/" + r.region}));
  }
  const sobol = tableRows(doc, "sobol");
  if (sobol.length) {
    const div = chartDiv("small");
    body.append(el("h4", t("sobol")), div, tableOf(doc.tables.sobol, {cls: "sobol"}));
    plot(div, [
      {type: "bar", name: t("first_order"), x: sobol.map((r) => r.factor), y: sobol.map((r) => r.S1), error_y: {type: "data", array: sobol.map((r) => r.S1_conf)}},
      {type: "bar", name: t("total_order"), x: sobol.map((r) => r.factor), y: sobol.map((r) => r.ST), error_y: {type: "data", array: sobol.map((r) => r.ST_conf)}},
    ], {barmode: "group", height: 320});
  }
  body.append(resultMeta(doc));
}

PAGES.audit = () => drawAudit();

window.addEventListener("DOMContentLoaded", () => {
  $("uncertainty-form").addEventListener("submit", (event) => { event.preventDefault(); runUncertainty(); });
});
