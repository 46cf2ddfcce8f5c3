// NQPF dashboard, the pages beyond the overview: region profile parts, disparities,
// industries, chains, 资讯, 企业, 供应/求购 and comments. Loaded after app.js (shares its
// globals: state, t, el, api, records, regionName, pillarName, status). It draws what the
// REST API answers (result documents: spec, spec_hash, warnings, provenance, tables) and
// computes nothing; all text goes through textContent.
"use strict";

// The REST endpoints each page reads (docs/web.md).
const ENDPOINTS = {
  disparity: (measure, by) => `/api/v1/disparity?measure=${encodeURIComponent(measure)}&by=${encodeURIComponent(by)}`,
  diagnose: (code) => `/api/v1/diagnose/${encodeURIComponent(code)}`,
  opportunities: (code) => `/api/v1/opportunities/${encodeURIComponent(code)}`,
  similar: (code) => `/api/v1/similar/${encodeURIComponent(code)}`,
  nationalTargets: (indicator, code) => `/api/v1/targets/national?indicator=${encodeURIComponent(indicator)}&region=${encodeURIComponent(code)}`,
  targets: (indicator, code, target, by) => "/api/v1/targets?" + new URLSearchParams({indicator, region: code, target, by}).toString(),
  herding: (view) => `/api/v1/herding?view=${view}`,
  plan: () => "/api/v1/plan/layout",
  chains: () => "/api/v1/chains",
  chainMap: (chain, code) => `/api/v1/chains/${encodeURIComponent(chain)}/map/${encodeURIComponent(code)}`,
  enterprises: (name, region, offset) => "/api/v1/enterprises?" + new URLSearchParams(
    Object.entries({name, region, limit: 100, offset: offset || 0}).filter(([, v]) => v !== "" && v !== undefined)).toString(),
  board: (kind) => "/api/v1/board" + (kind ? "?kind=" + encodeURIComponent(kind) : ""),
  boardPost: () => "/api/v1/board",
  boardMatches: (id) => `/api/v1/board/${encodeURIComponent(id)}/matches`,
  policySearch: (q) => "/api/v1/policy/search?q=" + encodeURIComponent(q),
  policyDocuments: () => "/api/v1/policy/documents",
  policyDocument: (id) => `/api/v1/policy/documents/${encodeURIComponent(id)}`,
  boardPostId: (id) => `/api/v1/board/${encodeURIComponent(id)}`,
  comments: (query) => "/api/v1/comments?" + new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== "" && v !== undefined && v !== null)).toString(),
};

Object.assign(I18N.zh, {
  nav_disparity: "区域差异", nav_industries: "产业布局", nav_chains: "产业链", nav_policy: "资讯",
  nav_enterprises: "企业", nav_board: "供应/求购", grouping: "分组", four_regions: "四大区域",
  three_belts: "东中西三大地带", chain: "产业链", search: "搜索", search_policy: "输入政策关键词，如 人工智能 算力",
  search_enterprise: "企业名称关键词", post_kind: "类别", all: "全部", supply: "供应", demand: "求购",
  new_post: "发布信息", enterprise: "企业", product: "产品", segment: "环节", quantity: "数量", unit: "单位",
  valid_until: "有效期至", contact: "联系方式", description: "说明", publish: "发布", industry_field: "行业",
  login_to_post: "登录后可发布供求信息。", endpoint_missing: "该页面所需的接口尚未提供",
  warnings: "提示", method_details: "方法、参数与数据来源", spec: "参数", sources: "数据来源",
  obstacles: "主要障碍指标", pillar_obstacles: "分项障碍度", coupling: "科技—产业耦合协调",
  targets: "目标测算", opportunities: "产业机会（含理由与抓手）", strengths: "现有优势产业",
  similar: "相似地区", chain_map: "产业链图谱", partners: "合作伙伴地区", flows: "链上投入产出流量",
  headline_fmt: "新质生产力指数 {index}，全国第 {rank}/{n} 位", dagum: "Dagum 基尼系数及分解",
  group_trends: "分区域均值走势", theil: "泰尔指数分解", sigma: "σ收敛（变异系数）", beta: "β收敛",
  moran: "全局莫兰指数", markov: "空间马尔可夫转移概率", kde: "核密度分布", all_tables: "全部结果表",
  herding_declared: "规划趋同（各地宣布的重点产业）", herding_revealed: "实际趋同（新进入的比较优势）",
  layout: "产业布局优化方案", no_results: "没有结果。", matches: "匹配结果", my_post: "已发布",
  open: "打开", back: "返回", document: "文件", none_selected: "（不限）", similar_regions: "产业结构相似地区",
  more_warnings: "另有 {n} 条提示", posted: "已发布，编号 {id}。", strong: "强", weak: "弱", missing: "缺", comments_on: "评论",
  show_rows: "显示前 {n} 行，共 {total} 行", within: "区域内", between: "区域间", transvariation: "超变密度",
  lag_class: "邻域状态", from_class: "期初", to_class: "期末", yes: "是", no: "否", previous: "上一页", next: "下一页", rows_of: "第 {from}–{to} 条，共 {total} 条",
  chain_map_hint: "绿色：强链环节；黄色：有企业但未成强项；红色：缺失环节。点击产业链名称查看伙伴地区与投入产出关系。",
  layout_hint: "在各省重点产业数、各产业布局地区数的约束下，使全国契合度（关联密度）之和最大的布局（括号内为契合度）。",
  markov_hint: "行：期初所处等级（1 最低）；列：下一年等级；按邻域（空间滞后）等级分组。",
  target_value: "目标值（留空：政策文件中的全国目标）", compute: "测算", extracted_items: "抽取的目标与举措",
  targets_hint: "默认：对照政策库中该指标的全国目标；填写目标值与年份则按自定目标测算。",
});
Object.assign(I18N.en, {
  nav_disparity: "Disparities", nav_industries: "Industries", nav_chains: "Chains", nav_policy: "Policy",
  nav_enterprises: "Enterprises", nav_board: "Supply & demand", grouping: "Grouping",
  four_regions: "Four regions", three_belts: "Three belts", chain: "Chain", search: "Search",
  search_policy: "Policy keywords, e.g. 人工智能", search_enterprise: "Enterprise name", post_kind: "Kind",
  all: "All", supply: "Supply", demand: "Demand", new_post: "New post", enterprise: "Enterprise",
  product: "Product", segment: "Segment", quantity: "Quantity", unit: "Unit", valid_until: "Valid until",
  contact: "Contact", description: "Description", publish: "Publish", industry_field: "Industry",
  login_to_post: "Log in to post an offer or a request.", endpoint_missing: "The API endpoint this page needs is not available yet",
  warnings: "Notes", method_details: "Method, options and sources", spec: "Options", sources: "Sources",
  obstacles: "Main obstacle indicators", pillar_obstacles: "Obstacle degree by pillar",
  coupling: "Coupling coordination of S&T and industry", targets: "Targets",
  opportunities: "Industry opportunities (with reasons and levers)", strengths: "Current strengths",
  similar: "Similar regions", chain_map: "Chain map", partners: "Partner regions", flows: "Input-output flows along the chain",
  headline_fmt: "NQPF index {index}, rank {rank} of {n}", dagum: "Dagum Gini and its decomposition",
  group_trends: "Group means over time", theil: "Theil decomposition", sigma: "σ-convergence (coefficient of variation)",
  beta: "β-convergence", moran: "Global Moran's I", markov: "Spatial Markov transition probabilities",
  kde: "Kernel density", all_tables: "All result tables", herding_declared: "Declared herding (priority industries)",
  herding_revealed: "Revealed herding (new comparative advantages)", layout: "Optimised industry layout",
  no_results: "No results.", matches: "Matches", my_post: "Posted", open: "Open", back: "Back",
  document: "Document", none_selected: "(any)", similar_regions: "Regions with a similar industry mix",
  more_warnings: "{n} more notes", posted: "Posted as number {id}.", strong: "strong", weak: "weak", missing: "missing", comments_on: "Comments",
  show_rows: "First {n} of {total} rows", within: "within", between: "between", transvariation: "transvariation",
  lag_class: "Neighbours' class", from_class: "From", to_class: "To", yes: "yes", no: "no", previous: "Previous", next: "Next", rows_of: "{from}–{to} of {total}",
  chain_map_hint: "Green: strong segment; amber: present but not strong; red: missing. Click a chain for partner regions and input-output links.",
  layout_hint: "The layout that maximises the summed fit (relatedness density) under the limits on priorities per province and hubs per industry (fit in brackets).",
  markov_hint: "Rows: class this year (1 lowest); columns: class next year; by the class of the neighbours (spatial lag).",
  target_value: "Target (empty: national targets of the policy library)", compute: "Compute",
  extracted_items: "Extracted targets and measures",
  targets_hint: "By default the region is set against the national targets of the indicator in the policy library; give a value and a year for a target of your own.",
});

// Column headings of result tables (zh, en); unknown columns show their id.
const COLS = {
  region: ["地区", "Region"], region_name: ["地区", "Region"], year: ["年份", "Year"], rank: ["位次", "Rank"],
  indicator: ["指标", "Indicator"], pillar: ["分项", "Pillar"], name: ["名称", "Name"], name_zh: ["名称", "Name"],
  score: ["得分", "Score"], value: ["数值", "Value"], obstacle: ["障碍度 %", "Obstacle %"],
  contribution: ["指标贡献度", "Factor contribution"], deviation: ["指标偏离度", "Deviation"],
  industry: ["产业", "Industry"], rca: ["显示性比较优势", "RCA"], density: ["关联密度", "Density"],
  entry_probability: ["进入概率", "Entry probability"], pci: ["产业复杂度", "PCI"], growth: ["增长", "Growth"],
  type: ["类型", "Type"], stage: ["阶段", "Stage"], reason_zh: ["理由", "Reason"], reason_en: ["理由", "Reason"],
  lever_zh: ["抓手", "Lever"], lever_en: ["抓手", "Lever"], share: ["占比", "Share"], excess: ["超额", "Excess"],
  segment: ["环节", "Segment"], status_zh: ["状态", "Status"], status: ["状态", "Status"], firms: ["企业数", "Firms"],
  lq: ["区位熵", "LQ"], partner_name: ["伙伴地区", "Partner"], distance_km: ["距离 km", "Distance km"],
  target: ["目标值", "Target"], target_year: ["目标年份", "Target year"], latest: ["最新值", "Latest"],
  latest_year: ["最新年份", "Latest year"], required_growth: ["所需年均增速", "Required growth"],
  historical_cagr: ["历史年均增速", "Historical CAGR"], projection: ["趋势外推", "Projection"],
  probability: ["概率", "Probability"], G: ["总体基尼", "Gini G"], G_w: ["区域内", "Within"],
  G_nb: ["区域间", "Between"], G_t: ["超变密度", "Transvariation"], share_w: ["区域内贡献率", "Within share"],
  share_nb: ["区域间贡献率", "Between share"], share_t: ["超变密度贡献率", "Transvariation share"],
  n: ["样本数", "n"], group: ["区域", "Group"], mean: ["均值", "Mean"], G_jj: ["区域内基尼", "G_jj"],
  group_j: ["区域 j", "Group j"], group_h: ["区域 h", "Group h"], G_jh: ["区域间基尼", "G_jh"], D_jh: ["相对经济效应", "D_jh"],
  index: ["指数", "Index"], within: ["区域内", "Within"], between: ["区域间", "Between"], cv: ["变异系数", "CV"],
  sd: ["标准差", "SD"], beta: ["β系数", "β"], se: ["标准误", "SE"], p: ["p 值", "p"], speed: ["收敛速度", "Speed"],
  half_life: ["半衰期（年）", "Half-life (years)"], kind: ["类别", "Kind"], model: ["模型", "Model"],
  I: ["莫兰指数 I", "Moran's I"], z: ["z 值", "z"], p_sim: ["置换检验 p", "p (permutation)"],
  herding_index: ["趋同指数", "Herding index"], declared: ["宣布地区数", "Declaring"],
  without_base: ["其中缺乏基础", "Without a base"], hubs_today: ["已有优势地区数", "Hubs today"],
  explanation_zh: ["说明", "Explanation"], explanation_en: ["说明", "Explanation"], field: ["领域", "Field"],
  entrants: ["新进入地区", "Entrants"], entry_rate: ["进入率", "Entry rate"], unrelated_share: ["无关联进入占比", "Unrelated share"],
  window: ["时期", "Window"], priorities: ["重点产业数", "Priorities"], fit: ["契合度", "Fit"], hubs: ["布局地区数", "Hubs"],
  enterprise: ["企业", "Enterprise"], product: ["产品", "Product"], quantity: ["数量", "Quantity"], unit: ["单位", "Unit"],
  valid_until: ["有效期至", "Valid until"], contact: ["联系方式", "Contact"], description: ["说明", "Description"],
  code: ["代码", "Code"], city: ["城市", "City"], board: ["板块", "Board"], ownership: ["所有制", "Ownership"],
  list_year: ["上市年份", "Listed"], title: ["标题", "Title"], issuer: ["发文机关", "Issuer"], issued: ["日期", "Date"],
  doc_type: ["文种", "Type"], snippet: ["摘要", "Snippet"], similarity: ["相似度", "Similarity"],
  class_zh: ["协调等级", "Class"], class_en: ["协调等级", "Class"], C: ["耦合度 C", "Coupling C"],
  T: ["综合发展 T", "Development T"], D: ["协调度 D", "Coordination D"], level: ["等级", "Level"],
  chain_zh: ["产业链", "Chain"], chain_en: ["产业链", "Chain"], created_at: ["发布时间", "Posted"],
  start: ["起点值", "Start"], start_year: ["起点年份", "Start year"], end: ["最新值", "Latest"],
  end_year: ["最新年份", "Latest year"], projection_lower: ["外推下限", "Projection low"],
  projection_upper: ["外推上限", "Projection high"], mode: ["方式", "Mode"], statement: ["条目", "Statement"],
    rca_before: ["上期显示性比较优势", "RCA before"], krugman: ["Krugman 结构差异", "Krugman index"],
  value_before: ["上期数值", "Value before"], value_change: ["变化", "Change"], r2: ["R²", "R²"],
  n_obs: ["观测数", "Observations"], score_total: ["总分", "Total"], adjacency: ["链上相邻", "Adjacency"],
    match_score: ["匹配度", "Match"], id: ["编号", "No."], total: ["总数", "Total"], reason: ["理由", "Reason"], phrase: ["原文", "Statement"],
};

// Columns that exist in both languages: show the one of the current language only.
const LANG_PAIRS = [["name_zh", "name_en"], ["reason_zh", "reason_en"], ["lever_zh", "lever_en"],
  ["explanation_zh", "explanation_en"], ["class_zh", "class_en"], ["chain_zh", "chain_en"]];

function tr(key, values) {
  return Object.entries(values || {}).reduce((s, [k, v]) => s.replace("{" + k + "}", String(v)), t(key));
}

function colLabel(col) {
  const pair = COLS[col];
  return pair ? pair[state.lang === "en" ? 1 : 0] : col;
}

function cell(col, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return t(value ? "yes" : "no");
  if (col === "region" || col === "partner") return regionName(String(value));
  if (col === "kind" && (value === "supply" || value === "demand")) return t(value);
  if ((col === "indicator" || col === "pillar") && typeof value === "string") return pillarName(value);
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return Math.abs(value) >= 10000 ? value.toLocaleString("zh-CN") : String(value);
  const a = Math.abs(value);
  if (a >= 1000) return value.toLocaleString("zh-CN", {maximumFractionDigits: 0});
  return value.toPrecision(4);
}

// A result table ({columns, rows}) as an HTML table; opts: columns (shown, in order), limit,
// link(row) → hash, cls, format ({column: value → text}).
function tableOf(table, opts = {}) {
  const hide = new Set(LANG_PAIRS.map((p) => p[state.lang === "en" ? 0 : 1]));
  let cols = opts.columns ? opts.columns.filter((c) => table.columns.includes(c)) : table.columns;
  if (!opts.columns) cols = cols.filter((c) => !hide.has(c) && !(c === "region_name" && table.columns.includes("region")));
  const idx = cols.map((c) => table.columns.indexOf(c));
  const wrap = el("div", null, {class: "table-wrap" + (opts.cls ? " " + opts.cls : "")});
  const tbl = el("table");
  const head = el("tr");
  for (const c of cols) head.append(el("th", colLabel(c), {"data-col": c}));
  tbl.append(el("thead")); tbl.tHead.append(head);
  const body = el("tbody");
  const limit = opts.limit || 200;
  for (const row of table.rows.slice(0, limit)) {
    const tr_ = el("tr");
    idx.forEach((i, k) => {
      const show = opts.format && opts.format[cols[k]] ? opts.format[cols[k]](row[i]) : cell(cols[k], row[i]);
      tr_.append(el("td", show, {class: typeof row[i] === "number" ? "num" : "text"}));
    });
    if (opts.link) {
      const obj = Object.fromEntries(table.columns.map((c, i) => [c, row[i]]));
      const target = opts.link(obj);
      if (target) { tr_.classList.add("link"); tr_.addEventListener("click", () => { location.hash = target; }); }
    }
    body.append(tr_);
  }
  tbl.append(body);
  wrap.append(tbl);
  if (table.rows.length > limit) wrap.append(el("p", tr("show_rows", {n: limit, total: table.rows.length}), {class: "note"}));
  return wrap;
}

function card(title, ...children) {
  const box = el("section", null, {class: "card"});
  box.append(el("h3", title), ...children.filter(Boolean));
  return box;
}

function chartDiv(cls) { return el("div", null, {class: "chart " + (cls || "")}); }

const PLOT_CONFIG = {displaylogo: false, responsive: true};
function plot(div, traces, layout) {
  Plotly.react(div, traces, {margin: {l: 50, r: 10, t: 30, b: 40}, font: {family: "NQPF Sans SC, sans-serif"}, ...layout}, PLOT_CONFIG);
}

// Warnings (shown), then spec, spec_hash and provenance in a closed <details>.
function resultMeta(doc) {
  const out = el("div", null, {class: "meta-box"});
  if (doc.warnings && doc.warnings.length) {
    // a long list shows its first notes; the rest unfold
    const list = el("ul", null, {class: "warnings"});
    for (const w of doc.warnings.slice(0, 8)) list.append(el("li", w));
    out.append(el("h4", t("warnings")), list);
    if (doc.warnings.length > 8) {
      const more = el("details", null, {class: "more-warnings"});
      const rest = el("ul", null, {class: "warnings"});
      for (const w of doc.warnings.slice(8)) rest.append(el("li", w));
      more.append(el("summary", tr("more_warnings", {n: doc.warnings.length - 8})), rest);
      out.append(more);
    }
  }
  const details = el("details");
  details.append(el("summary", `${t("method_details")} · spec_hash ${doc.spec_hash || "—"}`));
  details.append(el("pre", JSON.stringify(doc.spec || {}, null, 1), {class: "spec"}));
  if (doc.provenance && doc.provenance.rows && doc.provenance.rows.length) details.append(tableOf(doc.provenance, {limit: 50}));
  out.append(details);
  return out;
}

function allTables(doc, skip = []) {
  const details = el("details", null, {class: "all-tables"});
  details.append(el("summary", t("all_tables")));
  for (const [name, table] of Object.entries(doc.tables || {})) {
    if (skip.includes(name)) continue;
    details.append(el("h4", name), tableOf(table, {limit: 100}));
  }
  return details;
}

// The GET routes this server offers (from its OpenAPI document, read once), as patterns.
let openapiPromise = null;
function openapiDoc() {
  openapiPromise ??= api("/api/openapi.json");
  return openapiPromise;
}
// Whether a GET route of the server takes the query parameter ``name``.
async function offersParam(path, name) {
  const ops = (await openapiDoc()).paths?.[path]?.get;
  return !!ops && (ops.parameters || []).some((p) => p.name === name && p.in === "query");
}

let routesPromise = null;
function serverRoutes() {
  routesPromise ??= openapiDoc().then((doc) => Object.entries(doc.paths || {})
    .filter(([, ops]) => ops.get)
    .map(([p]) => new RegExp("^" + p.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "$")));
  return routesPromise;
}

// GET a result; a page whose endpoint the server does not offer (yet) says so.
async function fetchResult(path) {
  const bare = path.split("?")[0];
  const routes = await serverRoutes();
  if (!routes.some((r) => r.test(bare))) {
    const e = new Error(`${t("endpoint_missing")}: ${bare}`); e.missing = true; throw e;
  }
  return api(path);
}

function failure(error) {
  return el("p", error.missing ? error.message : `${t("failed")}: ${error.message}`, {class: error.missing ? "note missing" : "error"});
}

async function section(container, title, path, draw) {
  const box = card(title, el("p", t("loading"), {class: "note"}));
  container.append(box);
  try {
    const doc = await fetchResult(path);
    box.replaceChildren(el("h3", title));
    draw(box, doc);
  } catch (error) { box.replaceChildren(el("h3", title), failure(error)); }
}

function tableRows(doc, name) { return doc.tables && doc.tables[name] ? records(doc.tables[name]) : []; }

// ------------------------------------------------------------------ region profile parts
async function drawRegionParts(code) {
  const parts = $("region-parts");
  const token = {}; parts.token = token;
  parts.replaceChildren();
  const stale = () => parts.token !== token;
  await Promise.all([
    section(parts, t("obstacles"), ENDPOINTS.diagnose(code), (box, doc) => {
      if (stale()) return;
      const traj = tableRows(doc, "trajectory");
      if (traj.length) {
        plot("trajectory", [
          {type: "scatter", mode: "lines+markers", name: regionName(code), x: traj.map((r) => r.year), y: traj.map((r) => r.index)},
          {type: "scatter", mode: "lines", name: t("group_mean"), x: traj.map((r) => r.year), y: traj.map((r) => r.index_group)},
          {type: "scatter", mode: "lines", name: t("national_mean"), x: traj.map((r) => r.year), y: traj.map((r) => r.index_nation)},
        ], {title: {text: t("trajectory")}, xaxis: {dtick: 1}});
      }
      const years = tableRows(doc, "obstacles").map((r) => r.year);
      const last = Math.max(...years);
      const pick = (name) => ({columns: doc.tables[name].columns,
        rows: doc.tables[name].rows.filter((row) => row[doc.tables[name].columns.indexOf("year")] === last)});
      if (doc.tables.obstacles) {
        const obs = pick("obstacles");
        box.append(tableOf(obs, {columns: ["rank", "indicator", "pillar", "obstacle", "contribution", "deviation"], cls: "obstacles"}));
      }
      if (doc.tables.pillar_obstacles) {
        const po = records(pick("pillar_obstacles"));
        const div = chartDiv("small"); box.append(el("h4", t("pillar_obstacles")), div);
        plot(div, [{type: "bar", x: po.map((r) => pillarName(r.pillar)), y: po.map((r) => r.obstacle)}], {yaxis: {title: {text: "%"}}});
      }
      if (doc.tables.coupling) box.append(el("h4", t("coupling")), tableOf(doc.tables.coupling, {columns: ["year", "C", "T", "D", "level", state.lang === "en" ? "class_en" : "class_zh"]}));
      box.append(resultMeta(doc));
    }),
    section(parts, t("opportunities"), ENDPOINTS.opportunities(code), (box, doc) => {
      if (doc.tables.opportunities) {
        box.append(tableOf(doc.tables.opportunities, {cls: "opportunities", columns: ["rank", "name", "score", "rca", "density", "entry_probability", "pci", "type",
          state.lang === "en" ? "reason_en" : "reason_zh", state.lang === "en" ? "lever_en" : "lever_zh"], limit: 20}));
      }
      if (doc.tables.strengths) box.append(el("h4", t("strengths")), tableOf(doc.tables.strengths, {columns: ["name", "rca", "share", "value", "rca_before"], limit: 15, cls: "strengths"}));
      box.append(allTables(doc, ["opportunities", "strengths"]), resultMeta(doc));
    }),
    targetsCard(parts, code),
    section(parts, t("similar_regions"), ENDPOINTS.similar(code), (box, doc) => {
      const [first] = Object.values(doc.tables);
      if (first) box.append(tableOf(first, {limit: 10, link: (r) => (r.region && r.region !== code ? "#/region/" + r.region : null)}));
      box.append(resultMeta(doc));
    }),
  ]);
  if (stale()) return;
  await chainsOverview(parts, code, stale);
}

// Every packaged chain for one region: a row of segments coloured strong / weak / missing.
async function chainsOverview(parts, code, stale) {
  const chains = await loadChains();
  const box = card(t("chain_map"), el("p", t("chain_map_hint"), {class: "note"}));
  parts.append(box);
  if (!chains.length) { box.append(failure({missing: true, message: `${t("endpoint_missing")}: /api/v1/chains`})); return; }
  const docs = await Promise.all(chains.map((c) => fetchResult(ENDPOINTS.chainMap(c.id, code)).catch((error) => ({error}))));
  if (stale()) return;
  const grid = el("div", null, {class: "chains-overview"});
  chains.forEach((c, i) => {
    const link = el("a", chainName(c), {href: `#/chains/${c.id}/${code}`, class: "chain-name"});
    const row = el("div", null, {class: "chain-row"});
    if (docs[i].error) row.append(failure(docs[i].error));
    for (const s of docs[i].error ? [] : tableRows(docs[i], "segments").sort((a, b) => a.level - b.level)) {
      row.append(el("span", state.lang === "en" ? s.name_en : s.name_zh, {class: "segment chip " + s.status, title: `${t(s.status)} · LQ ${cell("lq", s.lq)} · ${s.reason_zh || ""}`}));
    }
    grid.append(link, row);
  });
  box.append(grid);
}

// The region against the national targets of an indicator stated in the policy library, or
// against a target the user sets (value and year).
async function targetsCard(parts, code) {
  const box = card(t("targets"));
  parts.append(box);
  await state.catalogReady;
  const form = el("form", null, {class: "controls targets-form"});
  const indicator = el("select", null, {name: "indicator"});
  for (const c of state.catalog) indicator.append(el("option", pillarName(c.id), {value: c.id}));
  indicator.value = "rd_intensity";
  const value = el("input", null, {type: "number", step: "any", name: "target", placeholder: t("target_value")});
  const year = el("input", null, {type: "number", min: "2024", max: "2100", name: "by", value: "2030"});
  form.append(indicator, value, year, el("button", t("compute"), {type: "submit"}));
  const out = el("div");
  box.append(el("p", t("targets_hint"), {class: "note"}), form, out);
  const draw = async () => {
    out.replaceChildren(el("p", t("loading"), {class: "note"}));
    const path = value.value === "" ? ENDPOINTS.nationalTargets(indicator.value, code)
      : ENDPOINTS.targets(indicator.value, code, value.value, year.value);
    try {
      const doc = await fetchResult(path);
      out.replaceChildren();
      const table = doc.tables.targets;
      out.append(table.rows.length ? tableOf(table, {cls: "targets", columns: ["phrase", "latest_year", "latest", "start_year", "start", "end_year", "end", "target", "target_year",
        "required_growth", "historical_cagr", "projection", "projection_lower", "projection_upper", "probability", "status"]}) : el("p", t("no_results"), {class: "note"}));
      out.append(allTables(doc, ["targets"]), resultMeta(doc));
    } catch (error) { out.replaceChildren(failure(error)); }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); draw(); });
  await draw();
}

// ------------------------------------------------------------------ chains
async function loadChains() {
  if (state.chains) return state.chains;
  try {
    const answer = await fetchResult(ENDPOINTS.chains());
    state.chains = records(answer.tables.chains);
  } catch { state.chains = []; }
  return state.chains;
}

function chainName(c) { return state.lang === "en" ? (c.name_en || c.id) : (c.name_zh || c.id); }

async function drawChainMap(container, chain, code, stale = () => false) {
  const info = (state.chains || []).find((c) => c.id === chain) || {id: chain};
  await section(container, `${t("chain_map")}：${chainName(info)} · ${regionName(code)}`, ENDPOINTS.chainMap(chain, code), (box, doc) => {
    if (stale()) return;
    const segments = tableRows(doc, "segments");
    const map = el("div", null, {class: "chain-map"});
    const levels = [...new Set(segments.map((s) => s.level))].sort((a, b) => a - b);
    for (const level of levels) {
      if (level !== levels[0]) map.append(el("div", "→", {class: "chain-arrow"}));
      const column = el("div", null, {class: "chain-level"});
      for (const s of segments.filter((x) => x.level === level)) {
        const node = el("div", null, {class: "segment " + s.status, "data-segment": s.segment, title: s.reason_zh || ""});
        node.append(el("strong", state.lang === "en" ? s.name_en : s.name_zh),
          el("span", `${t(s.status) || s.status} · ${t("enterprise")} ${s.firms} · LQ ${cell("lq", s.lq)}`));
        column.append(node);
      }
      map.append(column);
    }
    box.append(map);
    const segName = Object.fromEntries(segments.map((x) => [x.segment, state.lang === "en" ? x.name_en : x.name_zh]));
    if (doc.tables.partners) box.append(el("h4", t("partners")), tableOf(doc.tables.partners, {columns: ["segment", "rank", "partner_name", "score", "firms", "lq", "distance_km", state.lang === "en" ? "reason_en" : "reason_zh"], limit: 30, format: {segment: (v) => segName[v] || v}}));
    box.append(allTables(doc, ["segments", "partners"]), resultMeta(doc));
  });
}

async function drawChains(chainArg, regionArg) {
  const chains = await loadChains();
  const pick = $("chain-pick");
  const current = chainArg || pick.value;
  pick.replaceChildren(...chains.map((c) => el("option", chainName(c), {value: c.id})));
  if (current) pick.value = current;
  const regionPick = $("chain-region");
  if (!regionPick.options.length) {
    for (const r of state.regions) regionPick.append(el("option", regionName(r.region), {value: r.region}));
    regionPick.value = "340000";
  }
  if (regionArg) regionPick.value = regionArg;
  const body = $("chains-body");
  body.replaceChildren();
  if (!chains.length) { body.append(failure({missing: true, message: `${t("endpoint_missing")}: /api/v1/chains`})); return; }
  await drawChainMap(body, pick.value || chains[0].id, regionPick.value || "340000");
}

// ------------------------------------------------------------------ disparities
function fillDisparityMeasures() {
  const select = $("disparity-measure");
  const current = select.value || "index";
  select.replaceChildren();
  for (const id of ["index", ...state.assessment.pillars.map((p) => p.id)]) select.append(el("option", pillarName(id), {value: id}));
  const group = el("optgroup", null, {label: state.lang === "en" ? "Indicators" : "单项指标"});
  for (const c of state.catalog) group.append(el("option", pillarName(c.id), {value: c.id}));
  select.append(group);
  select.value = current;
}

async function drawDisparity() {
  await state.catalogReady;
  fillDisparityMeasures();
  const body = $("disparity-body");
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  let doc;
  try { doc = await fetchResult(ENDPOINTS.disparity($("disparity-measure").value, $("disparity-groups").value)); }
  catch (error) { body.replaceChildren(failure(error)); return; }
  body.replaceChildren();
  const rows = (name) => tableRows(doc, name);
  const years = (rs) => rs.map((r) => r.year);
  const grid = el("div", null, {class: "cards"});
  body.append(grid);
  // charts are drawn once every card is in the grid, so each gets its final width
  const draws = [];
  const chartCard = (title, draw) => { const div = chartDiv(); grid.append(card(title, div)); draws.push(() => draw(div)); };
  const dagum = rows("dagum_summary");
  if (dagum.length) {
    chartCard(t("dagum"), (div) => plot(div, [
      {type: "bar", name: t("within"), x: years(dagum), y: dagum.map((r) => r.G_w)},
      {type: "bar", name: t("between"), x: years(dagum), y: dagum.map((r) => r.G_nb)},
      {type: "bar", name: t("transvariation"), x: years(dagum), y: dagum.map((r) => r.G_t)},
      {type: "scatter", mode: "lines+markers", name: "G", x: years(dagum), y: dagum.map((r) => r.G)},
    ], {barmode: "stack", xaxis: {dtick: 1}}));
  }
  const trends = doc.tables.group_trends;
  if (trends) {
    chartCard(t("group_trends"), (div) => plot(div, trends.columns.slice(1).map((c, i) => ({
      type: "scatter", mode: "lines+markers", name: c, x: trends.rows.map((r) => r[0]), y: trends.rows.map((r) => r[i + 1])})), {xaxis: {dtick: 1}}));
  }
  const theil = rows("theil_t");
  if (theil.length) {
    chartCard(t("theil"), (div) => plot(div, [
      {type: "bar", name: t("within"), x: years(theil), y: theil.map((r) => r.within)},
      {type: "bar", name: t("between"), x: years(theil), y: theil.map((r) => r.between)},
    ], {barmode: "stack", xaxis: {dtick: 1}}));
  }
  const sigma = rows("sigma");
  if (sigma.length) {
    const groups = [...new Set(sigma.map((r) => r.group))];
    chartCard(t("sigma"), (div) => plot(div, groups.map((g) => {
      const mine = sigma.filter((r) => r.group === g);
      return {type: "scatter", mode: "lines+markers", name: g, x: years(mine), y: mine.map((r) => r.cv)};
    }), {xaxis: {dtick: 1}}));
  }
  const moran = rows("moran");
  if (moran.length) {
    chartCard(t("moran"), (div) => plot(div, [
      {type: "scatter", mode: "lines+markers", name: "I", x: years(moran), y: moran.map((r) => r.I),
        text: moran.map((r) => `p = ${cell("p", r.p_sim ?? r.p_norm)}`)},
    ], {xaxis: {dtick: 1}}));
  }
  const kde = rows("kde_density");
  if (kde.length) {
    const ys = [...new Set(years(kde))];
    chartCard(t("kde"), (div) => plot(div, ys.map((y) => {
      const mine = kde.filter((r) => r.year === y);
      return {type: "scatter", mode: "lines", name: String(y), x: mine.map((r) => r.x), y: mine.map((r) => r.density)};
    }), {}));
  }
  const markov = rows("spatial_markov");
  if (markov.length) {
    const matrices = el("div", null, {class: "markov-grid"});
    const box = card(t("markov"), el("p", t("markov_hint"), {class: "note"}), matrices);
    const lags = [...new Set(markov.map((r) => String(r.lag_class)))];
    for (const lag of lags) {
      const mine = markov.filter((r) => String(r.lag_class) === lag);
      const froms = [...new Set(mine.map((r) => r.from_class))].sort((a, b) => a - b);
      const tos = [...new Set(mine.map((r) => r.to_class))].sort((a, b) => a - b);
      const tableData = {columns: [t("from_class"), ...tos.map(String)], rows: froms.map((f) => [f, ...tos.map((to) => {
        const hit = mine.find((r) => r.from_class === f && r.to_class === to); return hit ? hit.probability : null;
      })])};
      const one = el("div");
      one.append(el("h4", `${t("lag_class")}: ${lag === "all" ? t("all") : lag}`), tableOf(tableData, {cls: "markov"}));
      matrices.append(one);
    }
    body.append(box);
  }
  for (const draw of draws) draw();
  const tablesCard = card(t("beta"));
  if (doc.tables.beta) tablesCard.append(tableOf(doc.tables.beta, {columns: ["group", "kind", "model", "beta", "se", "p", "speed", "half_life", "n_obs", "r2"]}));
  body.append(tablesCard);
  if (doc.tables.dagum_summary) body.append(card(t("dagum"), tableOf(doc.tables.dagum_summary, {cls: "dagum"})));
  body.append(allTables(doc, ["kde_density", "data"]), resultMeta(doc));
}

// ------------------------------------------------------------------ industries
async function drawIndustries() {
  const body = $("industries-body");
  body.replaceChildren();
  const expl = state.lang === "en" ? "explanation_en" : "explanation_zh";
  await Promise.all([
    section(body, t("herding_declared"), ENDPOINTS.herding("declared"), (box, doc) => {
      box.append(tableOf(doc.tables.herding, {columns: ["name", "declared", "without_base", "hubs_today", "herding_index", expl], cls: "herding"}));
      box.append(allTables(doc, ["herding"]), resultMeta(doc));
    }),
    section(body, t("herding_revealed"), ENDPOINTS.herding("revealed"), (box, doc) => {
      box.append(tableOf(doc.tables.herding, {columns: ["name", "window", "entrants", "entry_rate", "unrelated_share", "herding_index", expl], limit: 40}));
      box.append(allTables(doc, ["herding"]), resultMeta(doc));
    }),
    section(body, t("layout"), ENDPOINTS.plan(), (box, doc) => {
      // one row per province: its assigned industries with their fit, in the API's order
      const pairs = tableRows(doc, "layout");
      const regions = [...new Set(pairs.map((r) => r.region))];
      const byRegion = {columns: ["region", "industry"], rows: regions.map((code) => [code,
        pairs.filter((r) => r.region === code).map((r) => `${r.industry} (${cell("fit", r.fit)})`).join("、")])};
      box.append(el("p", t("layout_hint"), {class: "note"}), tableOf(byRegion, {cls: "layout", link: (r) => "#/region/" + r.region}));
      box.append(allTables(doc, ["layout"]), resultMeta(doc));
    }),
  ]);
}

// ------------------------------------------------------------------ 资讯 (policy library)
async function drawPolicy(id) {
  const body = $("policy-body");
  const token = {}; body.token = token;  // only the latest request draws
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  if (id) {
    try {
      const doc = await fetchResult(ENDPOINTS.policyDocument(id));
      if (body.token !== token) return;
      const [info] = records(doc.tables.document);
      const box = el("article", null, {class: "card document"});
      box.append(el("a", "← " + t("back"), {href: "#/policy"}), el("h2", info.title, {class: "doc-title"}));
      box.append(el("p", [info.issuer, info.issued, info.doc_type].filter(Boolean).join(" · "), {class: "note"}));
      if (info.source_url) box.append(el("p", info.source_url, {class: "note source"}));
      if (doc.tables.items && doc.tables.items.rows.length) {
        box.append(el("h4", t("extracted_items")), tableOf(doc.tables.items, {limit: 100, columns: ["kind", "phrase", "indicator", "value", "unit", "year", "basis", "industry"]}));
      }
      box.append(el("h4", t("document")), el("div", info.text, {class: "doc-text"}));
      body.replaceChildren(box, commentsBox("document", String(id)));
    } catch (error) { body.replaceChildren(failure(error)); }
    return;
  }
  const q = $("policy-q").value.trim();
  try {
    const doc = await fetchResult(q ? ENDPOINTS.policySearch(q) : ENDPOINTS.policyDocuments());
    if (body.token !== token) return;
    const table = q ? doc.tables.hits : doc.tables.documents;
    body.replaceChildren(table.rows.length ? tableOf(table, {columns: ["title", "issuer", "issued", "year", "region", "doc_type", "snippet"], limit: 200, cls: "policy", link: (r) => "#/policy/" + r.id}) : el("p", t("no_results"), {class: "note"}));
  } catch (error) { body.replaceChildren(failure(error)); }
}

// ------------------------------------------------------------------ 企业 (enterprise directory)
async function drawEnterprises(offset = 0) {
  const pick = $("enterprise-region");
  if (!pick.options.length) {
    pick.append(el("option", t("none_selected"), {value: ""}));
    for (const r of state.regions) pick.append(el("option", regionName(r.region), {value: r.region}));
  }
  const body = $("enterprises-body");
  const token = {}; body.token = token;
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  try {
    const answer = await fetchResult(ENDPOINTS.enterprises($("enterprise-q").value.trim(), pick.value, offset));
    if (body.token !== token) return;
    const table = answer.tables.enterprises;
    const [page] = records(answer.tables.page);
    const pager = el("p", tr("rows_of", {from: page.total ? page.offset + 1 : 0, to: page.offset + table.rows.length, total: page.total}), {class: "note pager"});
    if (page.offset > 0) {
      const back = el("button", t("previous"), {type: "button"});
      back.addEventListener("click", () => drawEnterprises(Math.max(0, page.offset - page.limit)));
      pager.append(" ", back);
    }
    if (page.offset + table.rows.length < page.total) {
      const next = el("button", t("next"), {type: "button"});
      next.addEventListener("click", () => drawEnterprises(page.offset + page.limit));
      pager.append(" ", next);
    }
    body.replaceChildren(pager,
      table.rows.length ? tableOf(table, {columns: ["code", "name", "region", "city", "industry", "board", "ownership", "list_year"], limit: 200, cls: "enterprises"}) : el("p", t("no_results"), {class: "note"}));
  } catch (error) { body.replaceChildren(failure(error)); }
}

// ------------------------------------------------------------------ 供应/求购 (board)
async function fillBoardForm() {
  const regionPick = $("board-region");
  if (!regionPick.options.length) for (const r of state.regions) regionPick.append(el("option", regionName(r.region), {value: r.region}));
  const chains = await loadChains();
  const chainPick = $("board-chain");
  if (!chainPick.options.length) {
    chainPick.append(el("option", t("none_selected"), {value: ""}));
    for (const c of chains) chainPick.append(el("option", chainName(c), {value: c.id}));
  }
}

async function drawBoard(id) {
  $("board-kind").closest(".controls").hidden = !!id;
  endEditing();
  $("board-form").hidden = !state.user || !!id;
  $("board-hint").hidden = !!state.user || !!id;
  await fillBoardForm();
  const body = $("board-body");
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  if (id) { await drawPost(body, id); return; }
  try {
    const answer = await fetchResult(ENDPOINTS.board($("board-kind").value));
    const table = answer.tables.posts;
    body.replaceChildren(table.rows.length ? tableOf(table, {columns: ["id", "kind", "enterprise", "product", "region", "quantity", "unit", "valid_until", "contact"], cls: "posts", link: (r) => "#/board/" + r.id}) : el("p", t("no_results"), {class: "note"}));
  } catch (error) { body.replaceChildren(failure(error)); }
}

// Owner tokens of the posts made in this browser (the API returns one per post; changing or
// withdrawing the post needs it, or the author's or an admin's log-in).
const OWNER_TOKENS = "nqpf-owner-tokens";
function ownerTokens() {
  try { return JSON.parse(localStorage.getItem(OWNER_TOKENS) || "{}"); } catch { return {}; }
}
function keepOwnerToken(id, token) {
  if (!token) return;
  localStorage.setItem(OWNER_TOKENS, JSON.stringify({...ownerTokens(), [String(id)]: token}));
}
function ownerHeaders(id) {
  const token = ownerTokens()[String(id)];
  return token ? {"X-Owner-Token": token} : {};
}
// The page offers 修改/撤回 on a post this browser made, on the logged-in author's posts
// (when the API names the author) and to an admin; the API decides.
function mayChange(post) {
  if (ownerTokens()[String(post.id)]) return true;
  if (!state.user) return false;
  if (state.user.role === "admin") return true;
  return (post.author_id !== undefined && post.author_id === state.user.id)
    || (post.by !== undefined && post.by === state.user.username);
}

const EDITABLE = ["enterprise", "product", "chain", "segment", "region", "quantity", "unit", "valid_until", "contact", "description"];

async function startEditing(post) {
  const form = $("board-form");
  form.dataset.editing = String(post.id);
  form.hidden = false;
  form.querySelector("h3").textContent = `${t("edit_post")} #${post.id}`;
  form.querySelector("button[type=submit]").textContent = t("save");
  form.elements.kind.value = post.kind; form.elements.kind.disabled = true;
  for (const name of EDITABLE) {
    if (name === "segment" || !form.elements[name]) continue;
    const value = post[name];
    form.elements[name].value = value === null || value === undefined ? "" : String(value).slice(0, name === "valid_until" ? 10 : undefined);
  }
  form.elements.chain.dispatchEvent(new Event("change"));
  await form.segmentsReady;
  form.elements.segment.value = post.segment || "";
  form.scrollIntoView();
}

function endEditing() {
  const form = $("board-form");
  if (!form.dataset.editing) return;
  delete form.dataset.editing;
  form.reset();
  form.elements.kind.disabled = false;
  form.querySelector("h3").textContent = t("new_post");
  form.querySelector("button[type=submit]").textContent = t("publish");
}

function postTools(box, post) {
  if (!mayChange(post)) return;
  const tools = el("p", null, {class: "post-tools"});
  const edit = el("button", t("edit"), {type: "button", class: "edit-post"});
  edit.addEventListener("click", () => startEditing(post));
  const withdraw = el("button", t("withdraw"), {type: "button", class: "withdraw-post"});
  withdraw.addEventListener("click", async () => {
    if (!window.confirm(t("confirm_withdraw_post"))) return;
    try {
      await api(ENDPOINTS.boardPostId(post.id), {method: "DELETE", headers: ownerHeaders(post.id)});
      status(tr("withdrawn", {id: post.id}));
      location.hash = "#/board";
    } catch (error) { status(t("failed") + ": " + error.message); }
  });
  tools.append(edit, " ", withdraw);
  box.append(tools);
}

async function drawPost(body, id) {
  const box = card(`${t("matches")} · #${id}`);
  body.replaceChildren(el("a", "← " + t("back"), {href: "#/board"}), box, commentsBox("post", String(id)));
  try {
    const answer = await fetchResult(ENDPOINTS.boardMatches(id));
    const [post] = records(answer.tables.post);
    if (post) {
      box.append(el("p", `${t(post.kind)} · ${post.enterprise} · ${post.product} · ${regionName(post.region)} · ${post.valid_until}`, {class: "post-head"}));
      if (post.status === "withdrawn") box.append(el("p", t("post_withdrawn"), {class: "note"}));
      else postTools(box, post);
    }
    const table = answer.tables.matches;
    const why = state.lang === "en" ? "explanation_en" : "explanation_zh";
    box.append(table.rows.length ? tableOf(table, {cls: "matches", columns: ["id", "kind", "enterprise", "product", "region", "score", why, "contact"],
      link: (r) => "#/board/" + r.id}) : el("p", t("no_results"), {class: "note"}));
  } catch (error) { box.append(failure(error)); }
}

function wireBoard() {
  $("board-kind").addEventListener("change", () => drawBoard());
  const form = $("board-form");
  form.segmentsReady = Promise.resolve();
  $("board-chain").addEventListener("change", (event) => {
    const segPick = $("board-segment");
    segPick.replaceChildren(el("option", t("none_selected"), {value: ""}));
    const chain = event.target.value;
    if (!chain) { form.segmentsReady = Promise.resolve(); return; }
    form.segmentsReady = fetchResult(ENDPOINTS.chainMap(chain, $("board-region").value)).then((doc) => {
      for (const s of tableRows(doc, "segments")) segPick.append(el("option", state.lang === "en" ? s.name_en : s.name_zh, {value: s.segment}));
    }).catch(() => { /* segments stay optional */ });
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const editing = form.dataset.editing;
    const entries = [...new FormData(form).entries()];
    if (editing) {
      // a change sends every editable field (an emptied optional field is cleared)
      const data = Object.fromEntries(entries.filter(([k]) => EDITABLE.includes(k)));
      data.quantity = data.quantity === "" || data.quantity === undefined ? null : Number(data.quantity);
      if (!data.valid_until) delete data.valid_until;
      try {
        await api(ENDPOINTS.boardPostId(editing), {method: "PATCH", body: data, headers: ownerHeaders(editing)});
        status(tr("saved", {id: editing}));
        endEditing();
        form.hidden = true;
        drawBoard(editing);
      } catch (error) { status(t("failed") + ": " + error.message); }
      return;
    }
    const data = Object.fromEntries(entries.filter(([, v]) => v !== ""));
    if (data.quantity !== undefined) data.quantity = Number(data.quantity);
    try {
      const made = await api(ENDPOINTS.boardPost(), {method: "POST", body: data});
      keepOwnerToken(made.id, made.owner_token);
      status(tr("posted", {id: made.id}));
      form.reset();
      location.hash = "#/board/" + made.id;
    } catch (error) { status(t("failed") + ": " + error.message); }
  });
}

// ------------------------------------------------------------------ 评论 (comments)
function commentsBox(kind, id) {
  const box = el("section", null, {class: "comments-box", "data-kind": kind, "data-id": id});
  box.append(el("h3", t("comments")));
  const list = el("ul", null, {class: "comments"});
  box.append(list);
  const form = el("form", null, {class: "comment-form"});
  const text = el("textarea", null, {maxlength: "5000", required: "", name: "body"});
  form.append(text, el("button", t("post_comment"), {type: "submit"}));
  form.hidden = !state.user;
  const hint = el("p", t("login_to_comment"), {class: "note"});
  hint.hidden = !!state.user;
  box.append(form, hint);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/v1/comments", {method: "POST", body: {target_kind: kind, target_id: id, body: text.value}});
      text.value = "";
      await fillComments(list, kind, id);
    } catch (error) { status(t("failed") + ": " + error.message); }
  });
  fillComments(list, kind, id);
  return box;
}

async function fillComments(list, kind, id) {
  let comments = [];
  try { comments = await api(ENDPOINTS.comments({target_kind: kind, target_id: id, order: "oldest", limit: 200})); }
  catch (error) { list.replaceChildren(el("li", t("failed") + ": " + error.message)); return; }
  list.replaceChildren();
  if (!comments.length) list.append(el("li", t("no_comments"), {class: "empty"}));
  for (const c of comments) list.append(commentItem(c, () => fillComments(list, kind, id)));
}

// An ISO time (UTC) as the reader's local "YYYY-MM-DD HH:MM".
function localTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

// One comment: author, time, (target link), the text as text, and a withdraw button on
// one's own comments (or on any for an admin).
function commentItem(c, after, target) {
  const li = el("li", null, {class: "comment", "data-id": String(c.id)});
  const meta = el("span", `${c.author} · ${localTime(c.created_at)}`, {class: "meta", title: c.created_at});
  if (target) meta.append(" · ", target);
  li.append(meta, el("span", c.body, {class: "body"}));
  if (state.user && (state.user.id === c.author_id || state.user.role === "admin")) {
    const withdraw = el("button", t("withdraw"), {type: "button", class: "withdraw"});
    withdraw.addEventListener("click", async () => {
      if (!window.confirm(t("confirm_withdraw_comment"))) return;
      try { await api(`/api/v1/comments/${c.id}`, {method: "DELETE"}); await after(); }
      catch (error) { status(t("failed") + ": " + error.message); }
    });
    li.append(withdraw);
  }
  return li;
}

// ------------------------------------------------------------------ registration with app.js
PAGES.disparity = () => drawDisparity();
PAGES.industries = () => drawIndustries();
PAGES.chains = (chain, region) => drawChains(chain, region);
PAGES.policy = (arg) => drawPolicy(arg);
PAGES.enterprises = () => drawEnterprises(0);
PAGES.board = (arg) => drawBoard(arg);
PAGES.regionParts = (code) => drawRegionParts(code);
PAGES.commentsBox = (kind, id) => commentsBox(kind, id);

window.addEventListener("DOMContentLoaded", () => {
  // the level switch of the ranking shows once the server's assessment takes a level
  // (asked after the first paint: the OpenAPI document is not needed for it)
  window.addEventListener("load", () => {
    offersParam("/api/v1/assess", "level").then((yes) => { $("level-box").hidden = !yes; }).catch(() => {});
  });
  $("disparity-measure").addEventListener("change", drawDisparity);
  $("disparity-groups").addEventListener("change", drawDisparity);
  const chainHash = () => { location.hash = `#/chains/${$("chain-pick").value}/${$("chain-region").value}`; };
  $("chain-pick").addEventListener("change", chainHash);
  $("chain-region").addEventListener("change", chainHash);
  $("policy-search").addEventListener("submit", (e) => { e.preventDefault(); if (location.hash !== "#/policy") location.hash = "#/policy"; else drawPolicy(); });
  $("enterprise-search").addEventListener("submit", (e) => { e.preventDefault(); drawEnterprises(0); });
  wireBoard();
});
