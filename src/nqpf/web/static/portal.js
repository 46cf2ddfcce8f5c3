// NQPF dashboard, the portal's own pages: 评论 (the latest comments across documents, regions,
// board posts and analyses) and 数据导入 (upload of an analyst's data set). Loaded after
// pages.js (shares its globals). Every text a user wrote goes through textContent.
"use strict";

Object.assign(I18N.zh, {
  nav_comments: "评论", nav_audit: "审计与不确定性", nav_import: "数据导入",
  comment_on: "评论对象", target_document: "政策文件", target_region: "地区", target_post: "供求信息",
  target_analysis: "分析结果", target_id: "编号", target_id_hint: "文件、信息或分析的编号", comment_text: "评论内容",
  withdraw: "撤回", edit: "修改", save: "保存", edit_post: "修改信息",
  confirm_withdraw_comment: "撤回这条评论？", confirm_withdraw_post: "撤回这条供求信息？撤回后不再参与匹配。",
  withdrawn: "编号 {id} 已撤回。", saved: "编号 {id} 已保存。", post_withdrawn: "这条信息已撤回。",
  commented: "评论已发表。", import_title: "导入数据", import_name: "数据集名称", import_file: "文件", upload: "上传",
  import_hint: "上传长表（地区、年份、指标、数值），CSV（UTF-8 或 GBK）、Excel（.xlsx）或 Parquet；导入后可在分析中选用。",
  login_to_import: "分析员或管理员登录后可导入数据。", imported: "已导入“{name}”：{rows} 行，{columns} 列，{regions} 个地区，{years} 个年份。",
  import_failed: "导入失败", imports: "已导入的数据集", uploading: "上传中……",
});
Object.assign(I18N.en, {
  nav_comments: "Comments", nav_audit: "Audit & uncertainty", nav_import: "Data import",
  comment_on: "On", target_document: "Policy document", target_region: "Region", target_post: "Board post",
  target_analysis: "Analysis", target_id: "Id", target_id_hint: "Id of the document, post or analysis", comment_text: "Comment",
  withdraw: "Withdraw", edit: "Edit", save: "Save", edit_post: "Edit post",
  confirm_withdraw_comment: "Withdraw this comment?", confirm_withdraw_post: "Withdraw this post? It will no longer be matched.",
  withdrawn: "Number {id} withdrawn.", saved: "Number {id} saved.", post_withdrawn: "This post has been withdrawn.",
  commented: "Comment posted.", import_title: "Import data", import_name: "Data set name", import_file: "File", upload: "Upload",
  import_hint: "Upload a long table (region, year, indicator, value) as CSV (UTF-8 or GBK), Excel (.xlsx) or Parquet; analyses can then use it.",
  login_to_import: "Log in as an analyst or admin to import data.", imported: "Imported “{name}”: {rows} rows, {columns} columns, {regions} regions, {years} years.",
  import_failed: "Import failed", imports: "Imported data sets", uploading: "Uploading…",
});
Object.assign(COLS, {
  rows: ["行数", "Rows"], columns: ["列数", "Columns"], regions: ["地区数", "Regions"], years: ["年份数", "Years"],
  created_by: ["导入人", "By"], imported_at: ["导入时间", "Imported"], file_type: ["文件类型", "File type"],
  indicators: ["指标数", "Indicators"],
});

const COMMENTS_PAGE = 50;

// A link to what a comment is about (regions by name; documents, posts by number).
function commentTarget(c) {
  const label = {document: "target_document", region: "target_region", post: "target_post", analysis: "target_analysis"}[c.target_kind];
  const text = c.target_kind === "region" ? `${t(label)} ${regionName(c.target_id)}` : `${t(label)} #${c.target_id}`;
  const href = {document: "#/policy/", region: "#/region/", post: "#/board/"}[c.target_kind];
  return href ? el("a", text, {href: href + encodeURIComponent(c.target_id), class: "target"}) : el("span", text, {class: "target"});
}

async function drawComments(offset = 0) {
  const form = $("comments-form");
  form.hidden = !state.user;
  $("comments-hint").hidden = !!state.user;
  const regionPick = $("comments-form-region");
  if (!regionPick.options.length) for (const r of state.regions) regionPick.append(el("option", regionName(r.region), {value: r.region}));
  const body = $("comments-body");
  const token = {}; body.token = token;
  body.replaceChildren(el("p", t("loading"), {class: "note"}));
  const query = {target_kind: $("comments-kind").value, limit: COMMENTS_PAGE, offset, order: "newest"};
  let comments; let total;
  try {
    const response = await fetch(ENDPOINTS.comments(query), {headers: {Accept: "application/json"}, credentials: "same-origin"});
    comments = await response.json();
    if (!response.ok) throw new Error(typeof comments.detail === "string" ? comments.detail : response.statusText);
    total = Number(response.headers.get("X-Total-Count") || comments.length);
  } catch (error) { body.replaceChildren(failure(error)); return; }
  if (body.token !== token) return;
  const pager = el("p", tr("rows_of", {from: total ? offset + 1 : 0, to: offset + comments.length, total}), {class: "note pager"});
  if (offset > 0) {
    const back = el("button", t("previous"), {type: "button"});
    back.addEventListener("click", () => drawComments(Math.max(0, offset - COMMENTS_PAGE)));
    pager.append(" ", back);
  }
  if (offset + comments.length < total) {
    const next = el("button", t("next"), {type: "button"});
    next.addEventListener("click", () => drawComments(offset + COMMENTS_PAGE));
    pager.append(" ", next);
  }
  const list = el("ul", null, {class: "comments latest"});
  if (!comments.length) list.append(el("li", t("no_comments"), {class: "empty"}));
  for (const c of comments) list.append(commentItem(c, () => drawComments(offset), commentTarget(c)));
  body.replaceChildren(pager, list);
}

function wireComments() {
  $("comments-kind").addEventListener("change", () => drawComments(0));
  const kindPick = $("comments-form-kind");
  kindPick.addEventListener("change", () => {
    const region = kindPick.value === "region";
    $("comments-form-region").hidden = !region;
    $("comments-form-id").hidden = region;
    $("comments-form-id").required = !region;
  });
  $("comments-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const kind = kindPick.value;
    const target = kind === "region" ? $("comments-form-region").value : $("comments-form-id").value.trim();
    try {
      await api("/api/v1/comments", {method: "POST", body: {target_kind: kind, target_id: target, body: form.elements.body.value}});
      form.elements.body.value = "";
      status(t("commented"));
      await drawComments(0);
    } catch (error) { status(t("failed") + ": " + error.message); }
  });
}

// ------------------------------------------------------------------ 数据导入 (data import)
const mayImport = () => !!state.user && ["analyst", "admin"].includes(state.user.role);

async function drawImport() {
  $("import-form").hidden = !mayImport();
  $("import-hint").hidden = mayImport();
  const body = $("imports-body");
  body.replaceChildren();
  try {
    const listed = await fetchResult("/api/v1/data/imports");
    const table = listed.tables ? Object.values(listed.tables)[0] : {columns: Object.keys(listed[0] || {}), rows: (listed || []).map(Object.values)};
    body.append(card(t("imports"), table && table.rows.length ? tableOf(table, {cls: "imports", format: {created_at: localTime, imported_at: localTime}}) : el("p", t("no_results"), {class: "note"})));
  } catch (error) { body.append(card(t("imports"), failure(error))); }
}

function importSummary(answer) {
  const count = (v) => (Array.isArray(v) ? v.length : v);
  const box = el("div", null, {class: "card import-summary"});
  box.append(el("p", tr("imported", {name: answer.name, rows: answer.rows, columns: count(answer.columns),
    regions: count(answer.regions), years: count(answer.years)}), {class: "headline"}));
  if (Array.isArray(answer.years) && answer.years.length) box.append(el("p", `${t("year")}: ${answer.years.join("、")}`, {class: "note"}));
  if (Array.isArray(answer.columns) && answer.columns.length) box.append(el("p", `${colLabel("columns")}: ${answer.columns.join(", ")}`, {class: "note"}));
  if (answer.warnings && answer.warnings.length) {
    const list = el("ul", null, {class: "warnings"});
    for (const w of answer.warnings) list.append(el("li", w));
    box.append(el("h4", t("warnings")), list);
  }
  return box;
}

function wireImport() {
  $("import-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const out = $("import-result");
    out.replaceChildren(el("p", t("uploading"), {class: "note"}));
    const headers = {Accept: "application/json"};
    if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
    try {
      // multipart: the browser sets the Content-Type with its boundary
      const response = await fetch("/api/v1/data/import", {method: "POST", body: new FormData(form), headers, credentials: "same-origin"});
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const detail = typeof answer.detail === "string" ? answer.detail
          : Array.isArray(answer.detail) && answer.detail[0] ? `${(answer.detail[0].loc || []).slice(-1)[0]}: ${answer.detail[0].msg}`
            : `${response.status} ${response.statusText}`;
        out.replaceChildren(el("p", `${t("import_failed")}: ${detail}`, {class: "error import-error"}));
        return;
      }
      out.replaceChildren(importSummary(answer));
      form.reset();
      await drawImport();
    } catch (error) { out.replaceChildren(el("p", `${t("import_failed")}: ${error.message}`, {class: "error import-error"})); }
  });
}

PAGES.comments = () => drawComments(0);
PAGES.import = () => drawImport();

window.addEventListener("DOMContentLoaded", () => {
  wireComments();
  wireImport();
});
