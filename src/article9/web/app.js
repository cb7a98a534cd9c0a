// article9 web explorer: a thin page over the HTTP API. No law logic here: the page asks the
// server and words what it answers.
"use strict";

const UI = {
  tagline: { en: "Japan's law on the use of force and SDF operations, executable", ja: "武力の行使と自衛隊の行動に関する日本の法を実行可能にしたもの" },
  start_title: { en: "What do you want to know?", ja: "何を調べますか" },
  start_intro: { en: "Each answer is one of: permitted (a provision in force authorises it and its conditions hold), not permitted, or depends (it turns on facts you have not given). Every answer names the provisions it rests on.", ja: "答えは「許される」（施行中の規定が認め、その要件を満たす）、「許されない」、「未確定」（まだ与えられていない事実次第）のいずれかです。どの答えも根拠となる規定を示します。" },
  start_action: { en: "Ask about an action", ja: "行為について調べる" },
  start_action_help: { en: "For example: may the SDF defend a US warship? The answer says which facts it turns on; answer them to narrow it.", ja: "例：自衛隊は米艦を防護できるか。答えがどの事実次第かを示すので、それに答えて絞り込めます。" },
  start_case: { en: "Open a bundled case", ja: "収録事例を開く" },
  start_case_help: { en: "Real and textbook cases, grouped by theme and era.", ja: "実例と設例を、テーマと時代で分類。" },
  start_interview: { en: "Describe a situation", ja: "状況を説明する" },
  start_interview_help: { en: "Choose what you want to decide; you are asked only questions that can still change the answer.", ja: "判定したい行為を選ぶと、答えを変え得る質問だけを順に尋ねます。" },
  action: { en: "Action", ja: "行為" },
  on_date: { en: "On the date", ja: "日付" },
  ask: { en: "Answer", ja: "判定する" },
  search: { en: "Search the cases", ja: "事例を検索" },
  no_match: { en: "No case matches.", ja: "該当する事例はありません。" },
  begin: { en: "Begin", ja: "開始" },
  iv_yes: { en: "Yes", ja: "はい" },
  iv_no: { en: "No", ja: "いいえ" },
  iv_unknown: { en: "Don't know", ja: "わからない" },
  iv_back: { en: "Back", ja: "戻る" },
  iv_done: { en: "No further question can change this answer.", ja: "これ以上、答えを変え得る質問はありません。" },
  iv_review: { en: "Your answers", ja: "あなたの回答" },
  iv_open: { en: "Open the full answer", ja: "詳しい判定を開く" },
  iv_so_far: { en: "The answer so far", ja: "現時点の答え" },
  working: { en: "Working…", ja: "処理中…" },
  start_over: { en: "Start again", ja: "最初から" },
  dates: { en: "Dates", ja: "日付" },
  add_date: { en: "Add a date", ja: "日付を追加" },
  remove_date: { en: "Remove this date", ja: "この日付を削除" },
  focus: { en: "Details for", ja: "詳細を表示する日付" },
  share: { en: "Copy link", ja: "リンクをコピー" },
  law: { en: "The law", ja: "法令一覧" },
  law_timeline: { en: "Every provision version, by instrument", ja: "規定の各版（法令ごと）" },
  pathways: { en: "Pathways to change", ja: "法改正への経路" },
  pathways_note: { en: "Seats of the governing coalition after each election against the majority and two-thirds of all members; the vertical line is the chosen date.", ja: "各選挙後の与党の議席数と、過半数・総議員の三分の二の線。縦線は選択した日付。" },
  scenario: { en: "The situation", ja: "状況" },
  unknown_hint: { en: "Facts left unknown can still decide an answer; each answer says which ones matter.", ja: "不明のままの事実も判定を左右し得ます。各カードにどの事実が決め手となるかを示します。" },
  world_fact: { en: "World facts", ja: "事実" },
  judgment: { en: "Government judgments", ja: "政府の判断" },
  procedural: { en: "Procedure", ja: "手続" },
  actions: { en: "Actions to assess", ja: "判定する行為" },
  unknown: { en: "unknown", ja: "不明" },
  yes: { en: "yes", ja: "はい" },
  no: { en: "no", ja: "いいえ" },
  permitted: { en: "Permitted", ja: "許される" },
  not_permitted: { en: "Not permitted", ja: "許されない" },
  depends: { en: "Depends", ja: "未確定" },
  no_encoded_basis: { en: "Outside the encoded law", ja: "符号化された法の範囲外" },
  depends_negative: { en: "Depends, but never permitted: whether it is not permitted or outside the encoded law turns on the facts", ja: "未確定（許されることはない。許されないか符号化された法の範囲外かは事実次第）" },
  no_encoded_basis_long: { en: "No provision encoded here makes this lawful, and the rule base does not claim its list of bases is complete.", ja: "ここで符号化されたどの規定によっても適法とならず、ルールベースは根拠の一覧が完全であるとは主張しない。" },
  outside_if: { en: "Outside the encoded law if any of", ja: "次のいずれかなら符号化された法の範囲外" },
  closure: { en: "Closure", ja: "完結性" },
  closure_true: { en: "the rule base claims its bases for this action are the only ones the law gives on this date", ja: "この日のこの行為について、符号化された根拠が法の定める根拠のすべてであると主張する" },
  closure_false: { en: "no closure claim covers this action on this date, so 'not permitted' is not claimed", ja: "この日のこの行為について完結性の主張はなく、「許されない」とは判定しない" },
  closure_unknown: { en: "a closure claim covers this action only under some of the unknown facts", ja: "不明な事実によっては完結性の主張がこの行為を覆う" },
  encoded_to: { en: "Law encoded and checked up to", ja: "法の符号化・確認の基準日" },
  gap: { en: "Known gap in the encoded law", ja: "符号化されていない既知の部分" },
  layers: { en: "The three layers", ja: "三つの層" },
  constitutional: { en: "Constitution, as read on this date", ja: "当日の政府解釈による憲法上の許容性" },
  basis: { en: "Statutory basis", ja: "法律上の根拠" },
  none: { en: "no provision in force authorises it", ja: "これを認める施行中の規定はない" },
  procedure: { en: "Procedure", ja: "手続" },
  why: { en: "Why (the full reasoning)", ja: "理由（推論の全体）" },
  permitted_if: { en: "Permitted if any of", ja: "次のいずれかなら許される" },
  not_permitted_if: { en: "Not permitted if any of", ja: "次のいずれかなら許されない" },
  turns_on: { en: "It turns on", ja: "決め手となる事実" },
  yes_word: { en: "yes", ja: "はい" },
  today_numbered: { en: "today", ja: "現行" },
  no_word: { en: "no", ja: "いいえ" },
  depends_word: { en: "depends", ja: "未確定" },
  rulebase: { en: "rule base", ja: "ルールベース" },
  copied: { en: "Link copied to the address bar.", ja: "リンクをアドレスバーに設定しました。" },
  back: { en: "Back to the explorer", ja: "判定画面に戻る" },
  rules_in_force: { en: "Rules in force", ja: "施行中の規定" },
  no_rules: { en: "Text only: no rules", ja: "本文のみ（ルールなし）" },
  summary_missing: { en: "", ja: "（日本語の要約は未作成）" },
  instrument: { en: "Instrument", ja: "法令等" },
  sources: { en: "Sources", ja: "出典" },
  egov: { en: "Text on e-Gov", ja: "e-Gov法令検索で本文を見る" },
  error: { en: "Error", ja: "エラー" },
  not_word: { en: "not", ja: "次に当たらない" },
  playbooks: { en: "Playbooks", ja: "危機シナリオ" },
  compare: { en: "What changed between the dates", ja: "日付の間で変わったこと" },
  changed_by: { en: "changed by", ja: "変化の原因" },
  no_change: { en: "The answer is the same on every date.", ja: "どの日付でも答えは同じ。" },
  strip_title: { en: "Across 1947–today, for these facts", ja: "1947年から現在まで（この事実の下で）" },
  strip_draw: { en: "Draw 1947–today", ja: "1947年から現在までを描く" },
  strip_note: { en: "Each band is the answer between two dated changes of the encoded law; a tick marks a change of answer, labelled with the provision that changed.", ja: "各帯は符号化された法の変更日の間の答え。目盛りは答えが変わった日で、変わった規定を示す。" },
  pipeline: { en: "Constitution → statute → procedure", ja: "憲法 → 法律 → 手続" },
  chain_breaks: { en: "the chain breaks here", ja: "ここで連鎖が切れる" },
  cite: { en: "Cite this answer", ja: "この回答の引用" },
  hypothetical: { en: "HYPOTHETICAL", ja: "仮定" },
  reform: { en: "Compare with a hypothetical reform", ja: "仮定の法改正と比較" },
  reform_none: { en: "(none: the law as it is)", ja: "（なし：現行の法）" },
  law_word: { en: "The law", ja: "実際の法" },
  pb_choose: { en: "Play a bundled crisis:", ja: "収録された危機を再生：" },
  choose: { en: "(choose…)", ja: "（選択…）" },
  pb_prev: { en: "◀ Previous step", ja: "◀ 前の段階" },
  pb_next: { en: "Next step ▶", ja: "次の段階 ▶" },
  pb_step: { en: "Step", ja: "段階" },
  pb_start: { en: "start", ja: "開始時" },
  pb_branch: { en: "Branch", ja: "分岐" },
  pb_set: { en: "Set", ja: "変化した事実" },
  pb_law: { en: "The law changed since the previous step", ja: "前の段階から法令が変わった" },
  pb_was: { en: "was", ja: "前は" },
  pb_by: { en: "changed by", ja: "変化の原因" },
  pb_waiting: { en: "Waiting on", ja: "未了の手続" },
  pb_judgments: { en: "Judgments the government has yet to make", ja: "政府がまだ行っていない判断" },
  pb_opens: { en: "Opens with", ja: "次にこれで可能になる" },
  pb_nothing: { en: "nothing opens it on this date", ja: "この日にはこれを可能にする事実はない" },
  pb_click: { en: "Click a cell for its explanation; a dot marks a cell waiting on a procedure step.", ja: "セルをクリックすると説明を表示。点は未了の手続があることを示す。" },
  pb_expected: { en: "expected", ja: "期待値" },
  pb_unconstitutional: { en: "outside Article 9 as read on this date", ja: "当日の解釈では憲法第9条の範囲外" },
  pb_no_basis: { en: "no provision in force authorises it on these facts", ja: "この事実では施行中の根拠規定がない" },
  pb_procedure: { en: "a required step is missing", ja: "必要な手続が欠けている" },
  pb_under: { en: "under", ja: "根拠" },
  pb_outside_encoded_law: { en: "no encoded provision makes it lawful, and no closure claim says the encoded ones are all", ja: "符号化された規定では適法とならず、根拠の一覧が完全であるとの主張もない" },
};

const THEME_NAMES = {
  en: { history: "History", case: "Cases the government presented (2014)", coverage: "One action each", panel2008: "2008 advisory panel", us: "US forces", usmaa: "Support to US forces", missile: "Missiles", logistics: "Logistics", disaster: "Disasters", asset: "Protecting assets", pko: "Peacekeeping", other: "Other" },
  ja: { history: "歴史", case: "政府が示した事例（2014年）", coverage: "行為ごと", panel2008: "2008年の懇談会", us: "米軍", usmaa: "米軍への支援", missile: "ミサイル", logistics: "後方支援", disaster: "災害", asset: "武器等防護", pko: "国連平和維持活動", other: "その他" },
};
const STATUS_COLOUR = { permitted: "#1a7f37", not_permitted: "#cf222e", depends: "#9a6700", no_encoded_basis: "#6e40c9" };
const RESERVED = new Set(["date", "focus", "a", "lang", "case", "reform", "view"]);
const state = { lang: "en", facts: {}, dates: [], focus: "", actions: [], title: "", caseName: "", reform: "", vocab: null, law: {}, instruments: {}, sources: {}, cases: [], reforms: [], messages: {} };
const pb = { name: "", result: null, path: {}, index: 0, actors: null };
let timer = null;

// Every request that produces an answer goes through answer(): it carries a sequence number,
// aborts the one before, and its result is shown only if no later request was started.
const requests = { seq: 0, controller: null };

function t(key) {
  const own = state.messages[key];
  if (typeof own === "string" && own) return own;
  return (UI[key] || {})[state.lang] || (UI[key] || {}).en || key;
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
function label(item) { return item.label[state.lang] || item.label.en; }
function factLabel(name) { const f = (state.vocab.facts || {})[name]; return f ? (f.label[state.lang] || f.label.en) : name; }
function actionLabel(name) { const a = (state.vocab.actions || {})[name]; return a ? label(a) : name; }
function actionQuestion(name) { const a = state.vocab.actions[name]; return (a.question && (a.question[state.lang] || a.question.en)) || label(a); }

async function api(path, body, signal) {
  const options = body ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {};
  if (signal) options.signal = signal;
  const res = await fetch(path, options);
  const data = await res.json();
  if (!res.ok) {
    const detail = Array.isArray(data.detail) ? data.detail.map(d => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ") : data.detail;
    throw new Error(detail);
  }
  return data;
}
async function optional(path) {  // a route another branch may add: absent means "not offered"
  try { const res = await fetch(path); return res.ok ? await res.json() : null; } catch (e) { return null; }
}

function working(on) {
  const results = document.getElementById("results");
  document.getElementById("working").hidden = !on;
  results.setAttribute("aria-busy", on ? "true" : "false");
}

// Runs `work(signal)` as the latest request; `show(result)` runs only if it still is.
async function answer(work, show) {
  if (requests.controller) requests.controller.abort();
  const my = ++requests.seq;
  const controller = new AbortController();
  requests.controller = controller;
  working(true);
  try {
    const result = await work(controller.signal);
    if (my !== requests.seq) return;
    await show(result, () => my === requests.seq);
  } catch (e) {
    if (my !== requests.seq || e.name === "AbortError") return;
    document.getElementById("message").replaceChildren(el("p", { class: "error", text: `${t("error")}: ${e.message}` }));
    document.getElementById("cards").replaceChildren();
  } finally {
    if (my === requests.seq) working(false);
  }
}

function todayIso() { return new Date().toISOString().slice(0, 10); }
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
function longDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return state.lang === "ja" ? `${y}年${m}月${d}日` : `${d} ${MONTHS[m - 1]} ${y}`;
}
function sortedDates(dates) { return [...new Set(dates.filter(Boolean))].sort(); }

// -- the state in the address: readable facts in the query string -------------------------
function stateQuery() {
  const q = new URLSearchParams();
  for (const d of state.dates) q.append("date", d);
  if (state.focus && state.dates.length > 1) q.set("focus", state.focus);
  for (const a of state.actions) q.append("a", a);
  if (state.caseName) q.set("case", state.caseName);
  if (state.reform) q.set("reform", state.reform);
  if (state.lang !== "en") q.set("lang", state.lang);
  for (const [k, v] of Object.entries(state.facts).sort()) q.set(k, v ? "1" : "0");
  return q.toString();
}
function stateLink() { return `${location.origin}${location.pathname}?${stateQuery()}`; }
function saveState() { history.replaceState(null, "", `?${stateQuery()}`); }
function readQuery(search) {
  const q = new URLSearchParams(search);
  state.lang = q.get("lang") === "ja" ? "ja" : state.lang;
  if (![...q.keys()].filter(k => k !== "lang").length) return false;
  state.dates = sortedDates(q.getAll("date"));
  state.focus = q.get("focus") || "";
  state.actions = q.getAll("a");
  state.caseName = q.get("case") || "";
  state.reform = q.get("reform") || "";
  state.lang = q.get("lang") === "ja" ? "ja" : "en";
  state.facts = {};
  for (const [k, v] of q.entries()) {
    if (RESERVED.has(k) || !(k in state.vocab.facts)) continue;
    if (v === "1" || v === "true") state.facts[k] = true; else if (v === "0" || v === "false") state.facts[k] = false;
  }
  return true;
}
function readOldHash(text) {  // links made before the query string: #s=<base64 JSON>
  try {
    const s = JSON.parse(decodeURIComponent(escape(atob(text.replace(/-/g, "+").replace(/_/g, "/")))));
    state.facts = s.f || {}; state.lang = s.l === "ja" ? "ja" : "en";
    state.dates = sortedDates([s.d, s.d2]); state.actions = Array.isArray(s.a) ? s.a : [];
    return true;
  } catch (e) { return false; }
}

// -- words for provisions and sources -------------------------------------------------------
async function instrument(id) {
  if (!(id in state.instruments)) state.instruments[id] = await api(`/law/${id}`).catch(() => ({ title: id, title_ja: id }));
  return state.instruments[id];
}
// "Self-Defense Forces Act Art. 76(1)(ii)" / "自衛隊法第76条第1項第2号"
async function citeProvision(id) {
  const p = state.law[id];
  if (!p) return id;
  const inst = await instrument(p.instrument);
  if (state.lang === "ja") {
    const art = (p.title_ja || "").split("（")[0];
    return art.startsWith("第") ? `${inst.title_ja}${art}` : `${inst.title_ja}「${p.title_ja || p.title}」`;
  }
  const art = p.title.split(":")[0];
  return /^Art/.test(art) ? `${inst.title} ${art}` : `${inst.title}: ${p.title}`;
}
function provisionTitle(id) {
  const p = state.law[id];
  return p ? (state.lang === "ja" && p.title_ja ? p.title_ja : p.title) : id;
}
const SOURCE_KEY = /\b(BRIEF (?:LB-\d+|S\d+|T\d+|\d+(?:\.\d+)?)|LB-\d+|S\d{1,2}|T\d{1,2})\b/g;
function sourceKey(text) { return text.startsWith("BRIEF ") && !/^BRIEF \d/.test(text) ? text.slice(6) : text; }
let factPattern = null;
// text with every source key as a link to its entry on the sources page, and every fact id
// (some help texts name one) in its label, the id kept in the hover title
function linked(text) {
  const out = [];
  let last = 0;
  if (!factPattern) factPattern = new RegExp(`${SOURCE_KEY.source}|\\b(${Object.keys(state.vocab.facts).join("|")})\\b`, "g");
  for (const m of text.matchAll(factPattern)) {
    out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2]) { out.push(el("span", { class: "factname", title: m[2], text: factLabel(m[2]) })); continue; }
    const key = sourceKey(m[0]);
    const s = state.sources[key];
    out.push(el("a", { href: `#/sources/${encodeURIComponent(key)}`, class: "source", title: s ? s.title : key, text: m[0] }));
  }
  out.push(text.slice(last));
  return out;
}
function factWords(one) {
  return Object.entries(one).map(([k, v]) => el("span", { class: "factval", title: k, text: `${factLabel(k)}: ${v ? t("yes") : t("no")}` }));
}
function joinNodes(nodes, sep) { const out = []; nodes.forEach((n, i) => { if (i) out.push(sep); out.push(n); }); return out; }

// The provision a change turned on: one that came into force and is a basis on the later
// date, else the first that came into force, else the first named (as charts.decisive).
function decisive(change, row) {
  const after = row.cells.find(x => x.date === change.to_date);
  const entered = change.provisions.filter(x => /^in force from/.test(x.change));
  return entered.find(x => after.bases.includes(x.provision.id)) || entered[0] || change.provisions[0];
}

// -- the headline: one sentence from the three layers --------------------------------------
// The server's `summary` when it gives one; otherwise worded here from the answer and, when
// several dates were compared, from the changes /compare attributes to provisions.
async function headline(det, day, row) {
  if (det.summary) return det.summary;
  const ja = state.lang === "ja";
  const status = det.status;
  const parts = [];
  const since = row ? row.changes.filter(c => c.to_date <= day && /constitutional/.test(c.what)) : [];
  const later = row ? row.changes.filter(c => c.from_date >= day && row.cells.find(x => x.date === c.to_date && x.status === "permitted")) : [];
  const lawful = det.bases.filter(b => b.lawful === "true");
  if (status === "depends") {
    const facts = det.depends_on.slice(0, 3).map(d => (ja ? factLabel(d.fact) : factLabel(d.fact).replace(/^[A-Z](?=[a-z ])/, c => c.toLowerCase())));
    const more = det.depends_on.length - facts.length;
    const list = facts.join(ja ? "、" : "; ") + (more > 0 ? (ja ? ` ほか${more}件` : ` and ${more} more`) : "");
    return ja ? `${longDate(day)}の時点では未確定：${list}次第。` : `Depends on ${longDate(day)}: it turns on whether ${list}.`;
  }
  if (det.constitutional === "false") {
    parts.push(ja ? "当日の政府解釈では憲法第9条の範囲外" : "outside Article 9 of the Constitution as read on this date");
  } else if (det.constitutional === "true") {
    let reading = ja ? "当日の政府解釈で憲法上は許容される" : "within the Constitution as read on this date";
    const change = since.length ? since[since.length - 1] : null;
    const from = change ? change.provisions.find(p => /in force from/.test(p.change)) : null;
    if (from) {
      const when = from.change.match(/\d{4}-\d{2}-\d{2}/)[0];
      reading = ja ? `${longDate(when)}以降の政府解釈で憲法上は許容される` : `within the Constitution as read since ${longDate(when)}`;
    }
    parts.push(reading);
  }
  if (status === "permitted" && lawful.length) {
    const names = await Promise.all(lawful.map(b => citeProvision(b.provision.id)));
    parts.push(ja ? `${names.join("、")}が認める` : `authorised by ${names.join(" and ")}`);
  } else if (status !== "permitted" && det.constitutional !== "false") {
    const missing = det.bases.some(b => b.authorises === "true" && b.lawful === "false");
    parts.push(missing ? (ja ? "必要な手続が欠けている" : "but a required procedure step is missing") : (ja ? "これを認める施行中の法律の規定がない" : "but no statute in force authorised it"));
  }
  let sentence = ja ? `${longDate(day)}の時点では${t(status)}：${parts.join("が、")}。` : `${t(status)} on ${longDate(day)}: ${parts.join(", ")}`;
  if (later.length) {
    const c = later[0];
    const p = decisive(c, row);
    if (p) {
      const when = (p.change.match(/\d{4}-\d{2}-\d{2}/) || [c.to_date])[0];
      const name = await citeProvision(p.provision.id);
      sentence += ja ? `${name}は${longDate(when)}に施行。` : `; ${name} took effect on ${longDate(when)}.`;
      return sentence;
    }
  }
  return ja ? sentence : `${sentence}.`;
}

function citeLine(result) {
  const hash = result.rulebase ? result.rulebase.hash : Object.values(result.rulebase_hashes || {})[0] || "";
  const version = result.rulebase ? result.rulebase.version : result.version;
  const link = stateLink();
  return el("p", { class: "cite", id: "cite" }, el("strong", { text: `${t("cite")}: ` }),
    `article9 ${version}, ${t("rulebase")} ${hash.slice(0, 12)}, ${result.date || state.dates.join(", ")} · `, el("a", { href: link, text: link }));
}

// -- the start screen ---------------------------------------------------------------------
const THEMES = ["history", "case", "panel2008", "us", "usmaa", "missile", "logistics", "asset", "disaster", "pko", "coverage"];
function theme(name) { const head = name.split("-")[0]; return THEMES.includes(head) ? head : "other"; }
function era(c) { const years = c.dates.map(d => Number(d.slice(0, 4))); return years.length ? Math.floor(Math.min(...years) / 10) * 10 : 0; }

function renderCases(filter) {
  const box = document.getElementById("case-groups");
  const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const hit = c => words.every(w => `${c.title} ${c.name} ${c.dates.join(" ")}`.toLowerCase().includes(w));
  const groups = new Map();
  for (const c of state.cases.filter(hit)) {
    const key = theme(c.name);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  const names = THEME_NAMES[state.lang];
  const order = [...THEMES, "other"].filter(k => groups.has(k));
  box.replaceChildren(...order.map(k => {
    const byEra = groups.get(k).sort((a, b) => era(a) - era(b) || a.title.localeCompare(b.title));
    const list = el("ul", { class: "case-list" });
    let shownEra = null;
    for (const c of byEra) {
      if (era(c) !== shownEra) { shownEra = era(c); list.append(el("li", { class: "era", text: shownEra ? (state.lang === "ja" ? `${shownEra}年代` : `${shownEra}s`) : "" })); }
      const button = el("button", { type: "button", class: "case", "data-case": c.name, text: c.title });
      button.addEventListener("click", () => openCase(c.name));
      list.append(el("li", {}, button, el("small", { text: ` ${c.dates.join(", ")}` })));
    }
    const details = el("details", { "data-theme": k }, el("summary", { text: `${names[k]} (${byEra.length})` }), list);
    if (words.length) details.open = true;
    return details;
  }));
  if (!order.length) box.append(el("p", { class: "hint", text: t("no_match") }));
}

function actionSelect(id) {
  const select = el("select", { id });
  for (const [name, a] of Object.entries(state.vocab.actions)) select.append(el("option", { value: name, title: name, text: actionQuestion(name) }));
  select.value = "defend_foreign_warship" in state.vocab.actions ? "defend_foreign_warship" : select.value;
  return select;
}

function showStart() {
  showOnly("start");
  const page = document.getElementById("start");
  const act = actionSelect("start-action");
  const day = el("input", { type: "date", id: "start-date", min: "1947-05-03", value: todayIso() });
  const ask = el("button", { type: "submit", id: "ask", text: t("ask") });
  const formA = el("form", { id: "ask-action", class: "start-card" }, el("h3", { text: t("start_action") }),
    el("p", { class: "hint", text: t("start_action_help") }),
    el("label", { for: "start-action", text: t("action") }), act,
    el("label", { for: "start-date", text: t("on_date") }), day, ask);
  formA.addEventListener("submit", e => {
    e.preventDefault();
    Object.assign(state, { facts: {}, dates: [day.value || todayIso()], focus: "", actions: [act.value], caseName: "", title: "" });
    openExplorer();
  });
  const search = el("input", { type: "search", id: "case-search", autocomplete: "off" });
  search.addEventListener("input", () => renderCases(search.value));
  const cases = el("div", { id: "case-library", class: "start-card" }, el("h3", { text: t("start_case") }),
    el("p", { class: "hint", text: t("start_case_help") }), el("label", { for: "case-search", text: t("search") }), search,
    el("div", { id: "case-groups" }));
  const ivAct = actionSelect("iv-action");
  const ivDay = el("input", { type: "date", id: "iv-date", min: "1947-05-03", value: todayIso() });
  const formC = el("form", { id: "iv-start", class: "start-card" }, el("h3", { text: t("start_interview") }),
    el("p", { class: "hint", text: t("start_interview_help") }),
    el("label", { for: "iv-action", text: t("action") }), ivAct,
    el("label", { for: "iv-date", text: t("on_date") }), ivDay, el("button", { type: "submit", id: "iv-begin", text: t("begin") }));
  formC.addEventListener("submit", e => {
    e.preventDefault();
    Object.assign(state, { facts: {}, dates: [ivDay.value || todayIso()], focus: "", actions: [ivAct.value], caseName: "", title: "" });
    interview.asked = []; interview.history = [];
    showInterview();
  });
  page.replaceChildren(el("h2", { text: t("start_title") }), el("p", { class: "intro", text: t("start_intro") }),
    el("div", { class: "start-grid" }, formA, cases, formC));
  renderCases("");
}

// -- "describe a situation": the guided interview over POST /interview/next ---------------
const interview = { asked: [], history: [] };

function showInterview() {
  showOnly("interview");
  saveState();
  const page = document.getElementById("interview");
  const day = state.dates[0];
  page.replaceChildren(startOver(),
    el("h2", { text: `${actionQuestion(state.actions[0])} (${longDate(day)})` }), el("div", { id: "iv-body" }));
  const body = document.getElementById("iv-body");
  answer(signal => api("/interview/next", { facts: state.facts, date: day, actions: state.actions, asked: interview.asked, lang: state.lang }, signal),
    async (r, latest) => {
      const det = r.assessment.determinations[0];
      const so = el("div", { id: "iv-answer", class: "card" }, el("h3", { text: t("iv_so_far") }),
        el("p", { class: `headline status-${det.status}`, "data-status": det.status, text: await headline(det, day, null) }));
      const review = el("ul", { id: "iv-review" });
      for (const [k, v] of Object.entries(state.facts)) review.append(el("li", { title: k, text: `${factLabel(k)}: ${v === null ? t("unknown") : v ? t("yes") : t("no")}` }));
      const back = el("button", { type: "button", id: "iv-back", text: t("iv_back") });
      back.disabled = !interview.history.length;
      back.addEventListener("click", () => {
        const last = interview.history.pop();
        delete state.facts[last]; interview.asked = interview.asked.filter(f => f !== last);
        showInterview();
      });
      const open = el("button", { type: "button", id: "iv-open", text: t("iv_open") });
      open.addEventListener("click", () => openExplorer());
      const parts = [so];
      if (r.question) {
        const q = r.question;
        const buttons = [["iv_yes", true], ["iv_no", false], ["iv_unknown", null]].map(([key, value]) => {
          const b = el("button", { type: "button", "data-answer": String(value), text: t(key) });
          b.addEventListener("click", () => {
            interview.asked.push(q.fact); interview.history.push(q.fact);
            if (value === null) delete state.facts[q.fact]; else state.facts[q.fact] = value;
            showInterview();
          });
          return b;
        });
        parts.push(el("fieldset", { id: "iv-question", "data-fact": q.fact }, el("legend", { text: q.question }),
          el("p", { class: "hint", text: "" }, ...linked(q.help)), ...buttons));
      } else {
        parts.push(el("p", { id: "iv-done", text: t("iv_done") }));
      }
      parts.push(el("h3", { text: t("iv_review") }), review, el("p", {}, back, " ", open));
      if (latest()) body.replaceChildren(...parts);
    });
}

// -- the explorer: the situation on the left, answers on the right ------------------------
function startOver() {  // back to the question, in the page (a request still running is dropped)
  const a = el("a", { href: location.pathname, id: "start-over", text: t("start_over") });
  a.addEventListener("click", e => { e.preventDefault(); history.pushState(null, "", location.pathname + (state.lang === "ja" ? "?lang=ja" : "")); route(); });
  return el("p", {}, a);
}

function showOnly(id) {
  for (const s of ["start", "interview", "builder", "results", "lawpage"]) document.getElementById(s).hidden = true;
  if (id === "explorer") { document.getElementById("builder").hidden = false; document.getElementById("results").hidden = false; } else document.getElementById(id).hidden = false;
}

async function openCase(name) {
  const s = await api(`/scenarios/${name}`);
  state.facts = Object.fromEntries(Object.entries(s.facts).filter(([, v]) => v !== null));
  state.actions = s.actions || [];
  state.dates = sortedDates(s.dates.length ? s.dates : [todayIso()]);
  state.focus = "";
  state.caseName = name; state.title = s.title; state.description = s.description; state.source = s.source;
  openExplorer(true);
}

function openExplorer(loaded) {
  showOnly("explorer");
  renderBuilder(loaded);
  schedule(0);
}

function renderBuilder(loaded) {
  const v = state.vocab;
  const box = document.getElementById("builder");
  const head = [startOver(), el("h2", { text: t("scenario") })];
  if (state.caseName) {
    const c = state.cases.find(x => x.name === state.caseName);
    head.push(el("h3", { id: "case-title", title: state.caseName, text: (c && c.title) || state.title || state.caseName }));
    if (state.description) head.push(el("p", { class: "story", text: state.description.replace(/([^\n])\n(?!\n)/g, "$1 ") }));
    if (state.source) head.push(el("p", { class: "hint" }, `${t("sources")}: `, ...linked(state.source)));
  }
  // dates
  const dates = el("fieldset", { id: "dates" }, el("legend", { text: t("dates") }));
  state.dates.forEach((d, i) => {
    const input = el("input", { type: "date", min: "1947-05-03", value: d, "data-date-index": String(i), "aria-label": `${t("dates")} ${i + 1}` });
    input.addEventListener("change", () => { state.dates[i] = input.value; state.dates = sortedDates(state.dates); renderBuilder(); schedule(); });
    const remove = el("button", { type: "button", class: "remove-date", "aria-label": `${t("remove_date")} ${d}`, text: "×" });
    remove.disabled = state.dates.length < 2;
    remove.addEventListener("click", () => { state.dates.splice(i, 1); renderBuilder(); schedule(); });
    dates.append(el("div", { class: "date-row" }, input, remove));
  });
  const add = el("button", { type: "button", id: "add-date", text: t("add_date") });
  add.addEventListener("click", () => { state.dates = sortedDates([...state.dates, todayIso()]); renderBuilder(); schedule(); });
  dates.append(add);
  if (state.dates.length > 1) {
    const focus = el("select", { id: "focus" });
    for (const d of state.dates) focus.append(el("option", { value: d, text: longDate(d) }));
    focus.value = state.focus || state.dates[0];
    focus.addEventListener("change", () => { state.focus = focus.value; schedule(); });
    dates.append(el("label", { for: "focus", text: t("focus") }), focus);
  }
  // reforms, when the server offers them
  let reform = null;
  if (state.reforms.length) {
    const select = el("select", { id: "reform" }, el("option", { value: "", text: t("reform_none") }));
    for (const r of state.reforms) select.append(el("option", { value: r.id, text: `${t("hypothetical")}: ${(r.title || {})[state.lang] || (r.title || {}).en || r.id}` }));
    select.value = state.reform;
    select.addEventListener("change", () => { state.reform = select.value; schedule(); });
    reform = el("p", {}, el("label", { for: "reform", text: t("reform") }), " ", select);
  }
  const groups = [];
  for (const kind of ["world_fact", "judgment", "procedural"]) {
    const list = el("div", { class: "facts", id: `facts-${kind}` });
    for (const [name, fact] of Object.entries(v.facts)) {
      if (fact.kind !== kind) continue;
      const id = `fact-${name}`;
      const select = el("select", { id, "data-fact": name });
      for (const [value, key] of [["", "unknown"], ["true", "yes"], ["false", "no"]]) {
        const opt = el("option", { value, text: t(key) });
        if (String(state.facts[name] ?? "") === value) opt.selected = true;
        select.append(opt);
      }
      select.addEventListener("change", () => {
        if (select.value === "") delete state.facts[name]; else state.facts[name] = select.value === "true";
        schedule();
      });
      list.append(el("div", { class: "fact" }, el("label", { for: id, title: name, text: fact.question[state.lang] }), select,
        el("small", {}, ...linked(fact.help[state.lang]))));
    }
    groups.push(el("details", {}, el("summary", { text: t(kind) }), list));  // closed: the answer lists the facts that matter
  }
  const acts = el("div", { id: "actions" });
  for (const [name, action] of Object.entries(v.actions)) {
    const id = `action-${name}`;
    const box = el("input", { type: "checkbox", id, "data-action": name });
    box.checked = state.actions.includes(name);
    box.addEventListener("change", () => {
      state.actions = [...acts.querySelectorAll("input:checked")].map(i => i.dataset.action);
      schedule();
    });
    acts.append(el("div", { class: "fact" }, el("label", { for: id, title: name, text: label(action) }), box));
  }
  box.replaceChildren(...head, dates, reform || "", el("p", { class: "hint", text: t("unknown_hint") }), ...groups,
    el("details", {}, el("summary", { text: t("actions") }), acts));
}

function schedule(delay = 250) {
  clearTimeout(timer);
  saveState();
  timer = setTimeout(run, delay);
}

// -- the answer ---------------------------------------------------------------------------
function treeNode(step) {
  // a condition "not <atom>" reads positively where the server words it (`reads`)
  const text = step.negated ? (step.reads || (step.value === "false" ? step.text : `${t("not_word")}: ${step.text}`)) : step.text;
  const shown = (step.negated && step.value === "false") ? "true" : step.value;
  const li = el("li", { class: `v-${shown}` }, el("span", { text }));
  if (step.rule) {
    const p = step.rule.provision;
    const info = state.law[p.id];
    const summary = info ? (state.lang === "ja" && info.summary_ja ? info.summary_ja : info.summary) : "";
    li.append(el("details", { class: "prov psum" },
      el("summary", {}, el("a", { href: `#/law/${p.id}`, title: `${p.id}: ${step.rule.text}`, text: `${provisionTitle(p.id)} [${p.marker}]` })),
      el("p", { text: summary }), el("code", { text: step.rule.text })));
  }
  if (step.note) li.append(el("span", { class: "prov", text: `(${step.note})` }));
  if (step.children && step.children.length) {
    const ul = el("ul");
    for (const c of step.children) ul.append(treeNode(c));
    li.append(ul);
  }
  return li;
}

function setList(title, sets) {
  if (!sets || !sets.length) return null;
  const ul = el("ul", { class: "sets" });
  for (const one of sets) ul.append(el("li", {}, ...joinNodes(factWords(one), "; ")));
  return el("div", {}, el("strong", { text: `${t(title)}:` }), ul);
}

function dependsOn(det) {
  if (!det.depends_on.length) return null;
  const ul = el("ul", { class: "turns-on" });
  for (const d of det.depends_on) {
    const select = el("select", { id: `q-${det.action}-${d.fact}`, "data-question": d.fact });
    for (const [value, key] of [["", "unknown"], ["true", "yes"], ["false", "no"]]) select.append(el("option", { value, text: t(key) }));
    select.addEventListener("change", () => {
      if (select.value === "") delete state.facts[d.fact]; else state.facts[d.fact] = select.value === "true";
      renderBuilder(); schedule(0);
    });
    ul.append(el("li", {}, el("label", { for: select.id, title: d.fact, text: `${d.question} ` }), select));
  }
  return el("div", {}, el("strong", { text: `${t("turns_on")}:` }), ul);
}

function layers(det) {
  const lawful = det.bases.filter(b => b.lawful !== "false");
  const basis = lawful.length ? joinNodes(lawful.map(b => el("a", { href: `#/law/${b.provision.id}`, title: b.provision.id, text: `${provisionTitle(b.provision.id)} [${b.provision.marker}]${b.provision.today ? ` (${t("today_numbered")} ${b.provision.today})` : ""}` })), "; ") : [t("none")];
  const steps = lawful.flatMap(b => b.procedure.filter(s => s.required !== "false").map(s => `${s.done === "true" ? "✓" : s.done === "false" ? "✗" : "?"} ${s.label}`));
  return [
    el("p", { class: "layer" }, `${t("constitutional")}: ${t(det.constitutional === "true" ? "yes_word" : det.constitutional === "false" ? "no_word" : "depends_word")}`),
    el("p", { class: "layer" }, `${t("basis")}: `, ...basis),
    steps.length ? el("p", { class: "layer" }, `${t("procedure")}: ${[...new Set(steps)].join("; ")}`) : null,
  ];
}

async function card(det, day, row, other) {
  const status = det.status === "depends" && !det.permitted_if.length && det.sets_complete && (det.not_permitted_if.length || det.outside_if.length) ? "depends_negative" : det.status;
  const node = el("article", { class: "card", "data-action": det.action },
    el("h3", { title: det.action, text: actionLabel(det.action) }),
    el("p", { class: `headline status-${det.status}`, "data-status": det.status, "data-headline": "", text: await headline(det, day, row) }),
    status === "depends_negative" ? el("p", { class: "hint", text: t("depends_negative") }) : null,
    det.status === "no_encoded_basis" ? el("p", { class: "hint", text: t("no_encoded_basis_long") }) : null,
    other ? el("p", { class: `second status-${other.status}`, "data-reform-status": other.status }, `${t("hypothetical")} (${other.title}): ${t(other.status)}`) : null,
    el("div", { class: "pipeline", "data-pipeline": det.action }),
    el("details", { class: "layers" }, el("summary", { text: t("layers") }), ...layers(det),
      det.status !== "permitted" && det.closure ? el("p", { class: `closure closure-${det.closure.closed}`, text: `${t("closure")}: ${t("closure_" + det.closure.closed)}${det.closure.claims.length ? ` (${det.closure.claims.map(c => provisionTitle(c.id)).join(", ")})` : ""}` }) : null),
    dependsOn(det),
    setList("permitted_if", det.permitted_if),
    setList("not_permitted_if", det.not_permitted_if),
    setList("outside_if", det.outside_if),
    why(det, day));
  return node;
}

// "Why": the explanation tree. /assess answers without trees (the cheap way to ask); a
// card's tree is asked for (/explain, one action) when the reader first opens it.
function why(det, day) {
  const tree = el("ul", { class: "tree" }, det.explanation ? treeNode(det.explanation) : null);
  const box = el("details", { class: "why", "data-why": det.action }, el("summary", { text: t("why") }), tree);
  if (det.explanation) return box;
  const facts = { ...state.facts };
  box.addEventListener("toggle", async () => {
    if (!box.open || tree.dataset.asked) return;
    tree.dataset.asked = "1";
    tree.replaceChildren(el("li", { class: "hint", text: t("working") }));
    try {
      const a = await api("/explain", { scenario: { title: state.title || "web", facts }, action: det.action, date: day, lang: state.lang });
      tree.replaceChildren(treeNode(a.determinations[0].explanation));
    } catch (e) {
      delete tree.dataset.asked;
      tree.replaceChildren(el("li", { text: `${t("error")}: ${e.message}` }));
    }
  });
  return box;
}

// The lines every answer opens with: the reform banner, the encoded-to date, the warning
// for a later date and the known gaps (all worded by the server).
function reachNotes(results) {
  const out = [];
  const first = results[0];
  if (first.regime && first.regime.kind === "reform") out.push(el("p", { class: "banner", id: "regime-banner", text: first.regime.banner }));
  if (first.reach && first.reach.encoded_to) out.push(el("p", { class: "hint", text: `${t("encoded_to")}: ${first.reach.encoded_to}` }));
  const seen = new Set();
  for (const r of results) {
    if (!r.reach) continue;
    if (r.reach.warning) out.push(el("p", { class: "warning", "data-warning": "after-encoded-to", text: r.reach.warning }));
    for (const g of r.reach.gaps || []) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      out.push(el("p", { class: "gap", "data-gap": g.id }, `${t("gap")}: ${g.title} (${g.window}): ${g.note} [`, ...linked(g.source), "]"));
    }
  }
  return out;
}

function changeWords(c, row) {  // the change in the page's words (the server's stays in the hover)
  const [a, b] = [c.from_date, c.to_date].map(d => row.cells.find(x => x.date === d));
  const tri = v => t(v === "true" ? "yes_word" : v === "false" ? "no_word" : "depends_word");
  if (a.status !== b.status) return `${t(a.status)} → ${t(b.status)}`;
  if (a.constitutional !== b.constitutional) return `${t("constitutional")}: ${tri(a.constitutional)} → ${tri(b.constitutional)}`;
  return c.what;
}

async function compareTable(cmp) {
  const box = el("section", { id: "compare" }, el("h3", { text: t("compare") }));
  const table = el("table", { class: "compare-grid" });
  table.append(el("tr", {}, el("th", {}), ...cmp.dates.map(d => el("th", { scope: "col", text: longDate(d) }))));
  for (const row of cmp.rows) {
    table.append(el("tr", { "data-action": row.action }, el("th", { scope: "row", title: row.action, text: actionLabel(row.action) }),
      ...row.cells.map(c => el("td", { class: `bg-${c.status}`, "data-date": c.date, "data-status": c.status, text: t(c.status) }))));
  }
  box.append(el("div", { class: "pb-scroll" }, table));
  const changes = el("ul", { class: "changes" });
  for (const row of cmp.rows) {
    for (const c of row.changes) {
      const names = await Promise.all(c.provisions.map(p => citeProvision(p.provision.id)));
      const provs = joinNodes(c.provisions.map((p, i) => el("span", {}, el("a", { href: `#/law/${p.provision.id}`, title: `${p.provision.id}: ${provisionTitle(p.provision.id)}`, text: names[i] }), ` (${p.change})`)), "; ");
      changes.append(el("li", { "data-change": row.action, title: c.what }, `${actionLabel(row.action)}: ${longDate(c.from_date)} → ${longDate(c.to_date)}: ${changeWords(c, row)}. ${t("changed_by")}: `, ...(provs.length ? provs : ["-"])));
    }
  }
  box.append(changes.children.length ? changes : el("p", { class: "hint", text: t("no_change") }));
  const strip = el("div", { id: "strip" });
  const draw = el("button", { type: "button", id: "strip-draw", text: t("strip_draw") });
  draw.addEventListener("click", () => drawStrip(cmp.rows.map(r => r.action)));
  box.append(el("h3", { text: t("strip_title") }), el("p", { class: "hint", text: t("strip_note") }), draw, strip);
  return box;
}

// every POST route takes `lang`, and answers in the page's language
function body(extra) {
  const b = { scenario: { title: state.title || "web", facts: state.facts }, lang: state.lang, ...extra };
  if (state.actions.length) b.actions = state.actions;
  return b;
}

async function run() {
  const message = document.getElementById("message");
  const cards = document.getElementById("cards");
  if (!state.dates.length) state.dates = [todayIso()];
  const day = state.dates.includes(state.focus) ? state.focus : state.dates[0];
  const many = state.dates.length > 1;
  const reform = state.reforms.find(r => r.id === state.reform);
  await answer(async signal => {
    const [assessed, cmp, reformed] = await Promise.all([
      api("/assess", body({ dates: [day], explain: false }), signal),
      many ? api("/compare", body({ dates: state.dates }), signal) : null,
      reform ? api("/assess", body({ dates: [day], reform: reform.id, explain: false }), signal) : null,
    ]);
    return { assessed, cmp, reformed };
  }, async ({ assessed, cmp, reformed }, latest) => {
    const result = assessed[0];
    const rows = cmp ? Object.fromEntries(cmp.rows.map(r => [r.action, r])) : {};
    const others = reformed ? Object.fromEntries(reformed[0].determinations.map(d => [d.action, { ...d, title: (reform.title || {})[state.lang] || reform.id }])) : {};
    const built = [];
    for (const d of result.determinations) built.push(await card(d, day, rows[d.action], others[d.action]));
    const table = cmp ? await compareTable(cmp) : "";
    if (!latest()) return;  // a later request started while the headlines were worded
    message.replaceChildren(el("p", { id: "answer-date", text: `${longDate(result.date)}${state.title ? ` · ${state.title}` : ""}` }), ...reachNotes(assessed));
    cards.replaceChildren(...built, table, citeLine(result));
    for (const d of result.determinations) drawPipeline(d);
  });
}

// -- pictures: Vega-Lite specs compiled and run by the vendored vega, with the expression
// interpreter (ast: true), so nothing is compiled with `new Function` under the CSP ----------
function statusScale() {
  const domain = Object.keys(STATUS_COLOUR);
  return { domain: domain.map(s => t(s)), range: domain.map(s => STATUS_COLOUR[s]) };
}
async function plot(container, spec) {
  if (!window.vega || !window.vegaLite || !vega.expressionInterpreter) return;
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", config: { font: "system-ui, sans-serif", view: { stroke: null } }, ...spec };
  const compiled = vegaLite.compile(full).spec;
  const view = new vega.View(vega.parse(compiled, null, { ast: true }), { expr: vega.expressionInterpreter, renderer: "svg", container, hover: true });
  await view.runAsync();
  const svg = container.querySelector("svg");
  if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", spec.description || spec.title || ""); }
  container.dataset.drawn = "true";
}
function dateTime(iso) { const [year, month, date] = iso.split("-").map(Number); return { year, month, date }; }
function chartWidth(node, fallback) { return Math.max(240, Math.min(fallback, (node.parentElement || node).clientWidth - 40 || fallback)); }

// (b) the three layers as a pipeline: Constitution -> statute -> procedure steps
function drawPipeline(det) {
  const node = document.querySelector(`.pipeline[data-pipeline="${det.action}"]`);
  if (!node) return;
  const base = det.bases.find(b => b.lawful === "true") || det.bases.find(b => b.authorises === "true") || det.bases.find(b => b.lawful === "unknown");
  const rows = [{ name: state.lang === "ja" ? "憲法（当日の解釈）" : "Constitution (as read)", value: det.constitutional }];
  rows.push({ name: base ? provisionTitle(base.provision.id) : t("none"), value: base ? (base.authorises === "unknown" ? "unknown" : base.in_force && base.authorises === "true" ? "true" : "false") : "false" });
  for (const s of base ? base.procedure.filter(p => p.required !== "false") : []) rows.push({ name: s.label, value: s.done });
  let broken = rows.findIndex(r => r.value === "false");
  rows.forEach((r, i) => { r.i = i; r.side = i % 2 ? 18 : -18; r.shown = { true: "✓", false: "✗", unknown: "?" }[r.value]; r.mark = i === broken ? t("chain_breaks") : ""; r.short = r.name.length > 38 ? `${r.name.slice(0, 36)}…` : r.name; });
  const colour = { domain: ["true", "false", "unknown"], range: ["#1a7f37", "#cf222e", "#9a6700"] };
  const x = { field: "i", type: "quantitative", axis: null, scale: { domain: [-0.6, rows.length - 0.4] } };
  plot(node, {
    title: t("pipeline"), description: `${t("pipeline")}: ${rows.map(r => `${r.name} ${r.shown}`).join(" → ")}`,
    width: chartWidth(node, 640), height: 90, data: { values: rows },
    encoding: { x, y: { datum: 0, type: "quantitative", axis: null, scale: { domain: [-1, 1] } } },
    layer: [
      { mark: { type: "line", color: "#8c959f" } },
      { mark: { type: "point", filled: true, size: 260 }, encoding: { color: { field: "value", type: "nominal", scale: colour, legend: null }, tooltip: [{ field: "name", title: t("layers") }] } },
      { mark: { type: "text", fontSize: 12, color: "white", fontWeight: "bold" }, encoding: { text: { field: "shown" } } },
      { transform: [{ filter: "datum.side > 0" }], mark: { type: "text", fontSize: 10, limit: 150, dy: 20 }, encoding: { text: { field: "short" } } },
      { transform: [{ filter: "datum.side < 0" }], mark: { type: "text", fontSize: 10, limit: 150, dy: -20 }, encoding: { text: { field: "short" } } },
      { mark: { type: "text", fontSize: 11, color: "#cf222e", fontWeight: "bold", dy: -34 }, encoding: { text: { field: "mark" } } },
    ],
  });
}

let changeDates = null;
async function lawChangeDates() {
  if (!changeDates) {
    const rows = await api("/timeline");
    const days = new Set(["1947-05-03"]);
    for (const r of rows) {
      if (r.from) days.add(r.from);
      if (r.to) { const d = new Date(`${r.to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1); days.add(d.toISOString().slice(0, 10)); }
    }
    changeDates = [...days].filter(d => d <= todayIso()).sort();
  }
  return changeDates;
}

// (a) a status strip for each action across 1947-today, for the facts on the form
async function drawStrip(actions) {
  const node = document.getElementById("strip");
  const days = await lawChangeDates();
  const end = todayIso();
  await answer(signal => api("/compare", body({ dates: days, actions }), signal), async cmp => {
    const bands = [];
    const marks = [];
    for (const row of cmp.rows) {
      const name = actionLabel(row.action);
      row.cells.forEach((c, i) => {
        const next = row.cells[i + 1];
        if (i && row.cells[i - 1].status === c.status && bands.length) { bands[bands.length - 1].to = next ? next.date : end; return; }
        bands.push({ action: name, from: c.date, to: next ? next.date : end, status: t(c.status) });
      });
      for (const c of row.changes) {
        if (!/^status/.test(c.what) && row.cells.find(x => x.date === c.from_date).status === row.cells.find(x => x.date === c.to_date).status) continue;
        const p = decisive(c, row);
        marks.push({ action: name, date: c.to_date, provision: p ? provisionTitle(p.provision.id) : "", id: p ? p.provision.id : "", short: p ? provisionTitle(p.provision.id).split(/[:：（]/)[0] : "" });
      }
    }
    node.replaceChildren();
    const y = { field: "action", type: "nominal", title: null, axis: { labelLimit: 220 } };
    await plot(node, {
      description: t("strip_title"), width: chartWidth(node, 1000) - 250, height: { step: 46 },
      layer: [
        { data: { values: bands }, mark: { type: "bar", height: 22 }, encoding: { y, x: { field: "from", type: "temporal", title: null, scale: { domain: [dateTime("1947-05-03"), dateTime(end)] } }, x2: { field: "to" }, color: { field: "status", type: "nominal", scale: statusScale(), title: null, legend: { orient: "bottom" } }, tooltip: [{ field: "status" }, { field: "from", type: "temporal" }, { field: "to", type: "temporal" }] } },
        { data: { values: marks }, mark: { type: "tick", color: "black", thickness: 2, size: 30 }, encoding: { y, x: { field: "date", type: "temporal" }, tooltip: [{ field: "date", type: "temporal" }, { field: "provision" }, { field: "id" }] } },
        { data: { values: marks }, mark: { type: "text", fontSize: 9, dy: -18, angle: 0, align: "left" }, encoding: { y, x: { field: "date", type: "temporal" }, text: { field: "short" } } },
      ],
    });
  });
}

// (c) every provision version as a bar, grouped by instrument
async function drawTimeline(node) {
  const rows = (await api("/timeline")).filter(r => r.from);
  const insts = [...new Set(rows.map(r => r.instrument))];
  const titles = Object.fromEntries(await Promise.all(insts.map(async i => [i, (await instrument(i))[state.lang === "ja" ? "title_ja" : "title"] || i])));
  const end = todayIso();
  const values = rows.map(r => ({ instrument: titles[r.instrument], provision: `${r.provision}`, title: provisionTitle(r.provision), from: r.from, to: r.to || end, marker: r.marker }))
    .sort((a, b) => a.instrument.localeCompare(b.instrument) || a.provision.localeCompare(b.provision) || a.from.localeCompare(b.from));
  await plot(node, {
    description: t("law_timeline"), width: chartWidth(node, 900), height: { step: 9 }, data: { values },
    mark: { type: "bar", height: 7 },
    encoding: {
      y: { field: "provision", type: "nominal", sort: null, title: null, axis: { labelFontSize: 8, labelLimit: 180 } },
      x: { field: "from", type: "temporal", title: null, axis: { orient: "top" } }, x2: { field: "to" },
      color: { field: "instrument", type: "nominal", title: t("instrument"), legend: { orient: "bottom", columns: 3, labelLimit: 260 } },
      tooltip: [{ field: "instrument" }, { field: "title" }, { field: "from", type: "temporal" }, { field: "to", type: "temporal" }, { field: "marker" }],
    },
  });
}

// (d) the pathways chart: seats against the majority and two-thirds lines, with the date
async function drawPathways(node, day) {
  const rows = await api("/pathways/chart.json");
  const houses = [...new Set(rows.map(r => r.house_name[state.lang] || r.house_name.en))];
  const values = rows.map(r => ({ ...r, house: r.house_name[state.lang] || r.house_name.en, parties: r.parties.join(", ") }));
  const w = chartWidth(node, 820);
  await plot(node, {
    description: t("pathways"),
    vconcat: houses.map(h => ({
      title: h, width: w, height: 190, data: { values: values.filter(v => v.house === h) },
      encoding: { x: { field: "date", type: "temporal", title: null } },
      layer: [
        { mark: { type: "bar", width: 7, color: "#0969da" }, encoding: { y: { field: "seats", type: "quantitative", title: state.lang === "ja" ? "議席" : "seats" }, tooltip: [{ field: "election" }, { field: "date", type: "temporal" }, { field: "parties" }, { field: "seats" }, { field: "size" }] } },
        { mark: { type: "tick", color: "#9a6700", thickness: 2, size: 14 }, encoding: { y: { field: "majority", type: "quantitative" } } },
        { mark: { type: "tick", color: "#cf222e", thickness: 2, size: 14 }, encoding: { y: { field: "two_thirds", type: "quantitative" } } },
        { mark: { type: "text", fontSize: 8, dy: -6 }, encoding: { y: { field: "seats", type: "quantitative" }, text: { field: "seats" } } },
        { mark: { type: "text", fontSize: 7, angle: -90, align: "left", dx: 0, dy: 0, color: "white", baseline: "middle" }, encoding: { y: { datum: 4, type: "quantitative" }, text: { field: "parties" } } },
        { data: { values: [{ day }] }, mark: { type: "rule", color: "black", strokeDash: [4, 3] }, encoding: { x: { field: "day", type: "temporal" } } },
        { data: { values: [{ day, text: longDate(day) }] }, mark: { type: "text", align: "left", dx: 3, fontSize: 10 }, encoding: { x: { field: "day", type: "temporal" }, y: { value: 8 }, text: { field: "text" } } },
      ],
    })),
  });
}

// -- the law, sources and pathways pages --------------------------------------------------
function egovLink(id) { return id ? el("a", { href: `https://laws.e-gov.go.jp/law/${id}`, class: "egov", rel: "noopener", text: t("egov") }) : null; }
function sourceLinks(keys) { return joinNodes(keys.map(k => linked(k)).flat(), ", "); }
function backLink() { return el("p", {}, el("a", { href: `?${stateQuery()}`, text: t("back") })); }

let pageSeq = 0;  // a page drawn after a later route started is dropped
async function showLaw(id) {
  const my = pageSeq;
  showOnly("lawpage");
  const page = document.getElementById("lawpage");
  page.replaceChildren(backLink());
  try {
    if (!id) {
      const list = await api("/law");
      const table = el("table");
      for (const p of list) {
        table.append(el("tr", {}, el("td", {}, el("a", { href: `#/law/${p.id}`, title: p.id, text: state.lang === "ja" ? await citeProvision(p.id) : `${(await instrument(p.instrument)).title}: ${p.title}` })),
          el("td", { text: `[${p.marker}]` }), el("td", { text: p.window || t("no_rules") })));
      }
      const chart = el("div", { id: "timeline-chart" });
      if (my !== pageSeq) return;
      page.append(el("h2", { text: t("law") }), el("h3", { text: t("law_timeline") }), chart, table);
      await drawTimeline(chart);
      return;
    }
    const p = await api(`/law/${id}`);
    if (my !== pageSeq) return;
    if (p.provisions) {
      const list = el("ul");
      for (const q of p.provisions) list.append(el("li", {}, el("a", { href: `#/law/${q.id}`, title: q.id, text: provisionTitle(q.id) }), ` [${q.marker}]`));
      page.append(el("h2", { text: state.lang === "ja" ? p.title_ja : p.title }),
        el("p", { text: [p.law_number, p.promulgated && `promulgated ${p.promulgated}`, p.in_force && `in force ${p.in_force}`].filter(Boolean).join(" · ") }),
        el("p", {}, egovLink(p.egov_id)), el("p", { class: "summary", text: p.intro }),
        el("p", {}, `${t("sources")}: `, ...sourceLinks(p.sources)), list);
      return;
    }
    const inst = await instrument(p.instrument);
    const heading = state.lang === "ja" ? await citeProvision(p.id) : `${p.instrument_title} ${p.title}`;
    if (my !== pageSeq) return;
    page.append(
      el("h2", { title: p.id, text: `${heading} [${p.marker}]` }),
      el("p", {}, `${t("instrument")}: `, el("a", { href: `#/law/${p.instrument}`, text: `${state.lang === "ja" ? p.instrument_title_ja : p.instrument_title}${p.law_number ? ` (${p.law_number})` : ""}` }), " ", egovLink(inst.egov_id)),
      el("p", { class: "summary", text: state.lang === "ja" ? (p.summary_ja || t("summary_missing")) : p.summary }),
      el("p", { class: "prov-sources" }, `${t("sources")}: `, ...sourceLinks(p.sources)),
      el("h3", { text: p.blocks.length ? t("rules_in_force") : t("no_rules") }));
    for (const b of p.blocks) page.append(el("p", { text: `${b.from} .. ${b.to || ""}` }), el("pre", { text: b.rules }));
  } catch (e) {
    page.append(el("p", { text: `${t("error")}: ${e.message}` }));
  }
}

function showSources(key) {
  showOnly("lawpage");
  const page = document.getElementById("lawpage");
  const list = el("dl", { id: "sources-list" });
  for (const [k, s] of Object.entries(state.sources)) {
    const facts = [s.publisher, s.date, s.language].filter(Boolean).join(" · ");
    const urls = s.urls || (s.url ? [s.url] : []);
    list.append(el("dt", { id: `source-${k}` }, k),
      el("dd", {}, s.title, facts ? el("small", { text: ` (${facts})` }) : null,
        ...urls.map(u => el("span", {}, " ", el("a", { href: u, rel: "noopener", text: u })))));
  }
  page.replaceChildren(backLink(), el("h2", { text: t("sources") }), list);
  const target = key && document.getElementById(`source-${key}`);
  if (target) { target.classList.add("current"); target.scrollIntoView(); }
}

async function showPathways() {
  const my = pageSeq;
  showOnly("lawpage");
  const page = document.getElementById("lawpage");
  const day = state.dates[0] || todayIso();
  page.replaceChildren(backLink(), el("h2", { text: `${t("pathways")} · ${longDate(day)}` }));
  const chart = el("div", { id: "chart" });
  page.append(el("p", { class: "hint", text: t("pathways_note") }), chart);
  try {
    await drawPathways(chart, day);
    const p = await api(`/pathways?date=${day}`);
    if (my !== pageSeq) return;
    for (const r of p.results) {
      const box = el("div", { class: "card pathway" }, el("h3", { text: `${r.name}${r.parties.length ? " — " + r.parties.join(", ") : ""}` }));
      for (const h of r.houses) {
        const needs = Object.entries(h.needs).map(([k, v]) => `${k} ${v}${h.shortfall[k] ? ` (−${h.shortfall[k]})` : " ✓"}`).join("; ");
        box.append(el("p", { text: `${h.house === "hor" ? "House of Representatives" : h.house === "hoc" ? "House of Councillors" : h.house} (${h.election}): ${h.seats}/${h.size} · ${needs}` }));
      }
      if (r.houses.length) box.append(el("p", { class: "routes", text: `open: ${r.routes_open.join(", ") || "-"}` }));
      if (r.note) box.append(el("p", { class: "hint", text: r.note }));
      page.append(box);
    }
  } catch (e) {
    page.append(el("p", { text: `${t("error")}: ${e.message}` }));
  }
}

// -- playbooks: a crisis as dated steps; the page renders POST /playbook's result ----------
function pbColumns(result) {
  // the steps along the chosen branch at each fork (pb.path: fork step id -> branch name),
  // and the forks met on the way
  const cols = [result.start];
  const forks = [];
  const follow = (steps, branches, forkId) => {
    for (const s of steps) cols.push(s);
    const last = steps.length ? steps[steps.length - 1] : null;
    if (last && last.branches.length) { branches = last.branches; forkId = last.id; }
    if (!branches.length) return;
    forks.push({ id: forkId, branches });
    const chosen = branches.find(b => b.name === pb.path[forkId]) || branches[0];
    pb.path[forkId] = chosen.name;
    follow(chosen.steps, [], null);
  };
  follow(result.steps, result.branches, "");
  return { cols, forks };
}

function pbWords(c) {
  const name = t(c.status);
  const why = c.reason === "permitted" || c.reason === "depends" ? `${t("pb_under")} ${c.bases.join(", ") || "-"}` : t(`pb_${c.reason}`);
  return `${name}: ${why}`;
}

function pbFacts(facts) {
  return Object.entries(facts).map(([k, v]) => `${factLabel(k)}: ${v === null ? t("unknown") : v ? t("yes") : t("no")}`).join("; ");
}

function pbActor(code) { return ((pb.actors || {})[code] || {})[state.lang] || code; }

function pbDetail(step) {
  const box = el("div", { id: "pb-step", "data-step": step.id },
    el("h3", { text: `${t("pb_step")} ${step.id === "0" ? t("pb_start") : step.id} · ${step.date}${step.time ? " " + step.time.slice(0, 5) : ""} · ${step.label}` }));
  if (step.note) box.append(el("p", { class: "hint", text: step.note }));
  if (Object.keys(step.set).length) box.append(el("p", { text: `${t("pb_set")}: ${pbFacts(step.set)}` }));
  if (step.law_changes.length) box.append(el("p", { class: "pb-law", text: `${t("pb_law")}: ${step.law_changes.map(x => x.provision).join(", ")}` }));
  for (const c of step.cells) {
    const item = el("div", { class: "card pb-action", "data-action": c.action },
      el("strong", { title: c.action, text: label(state.vocab.actions[c.action]) }), " ",
      el("span", { class: `status-${c.status}`, "data-status": c.status, text: pbWords(c) }));
    if (c.expected) item.append(el("span", { class: "hint", text: ` (${t("pb_expected")}: ${t(c.expected)} ${c.expect_met ? "✓" : "✗"})` }));
    if (c.changed.length && c.cause) {
      const by = [pbFacts(c.cause.facts), c.cause.provisions.map(x => x.provision).join(", ")].filter(Boolean).join("; ");
      item.append(el("p", { class: "pb-cause", text: `${c.previous && c.changed.includes("status") ? `${t("pb_was")} ${t(c.previous)}; ` : ""}${t("pb_by")}: ${by || "-"}` }));
    }
    const judgments = c.depends_on.filter(f => (state.vocab.facts[f] || {}).kind === "judgment");
    if (judgments.length) item.append(el("p", { class: "pb-judgments", text: `${t("pb_judgments")}: ${judgments.map(f => state.vocab.facts[f].label[state.lang] || f).join("; ")}` }));
    if (c.pending.length) {
      const ul = el("ul", { class: "pb-pending" });
      for (const p of c.pending) ul.append(el("li", { text: `${label(state.vocab.procedures[p.step] || { label: { en: p.step } })} — ${pbActor(p.actor)} (${p.basis})` }));
      item.append(el("div", {}, el("em", { text: `${t("pb_waiting")}:` }), ul));
    }
    if (c.status !== "permitted") {
      item.append(el("p", { class: "pb-opens", text: `${t("pb_opens")}: ${c.opens.length ? c.opens.map(o => pbFacts(o.facts)).join(" | ") : t("pb_nothing")}` }));
    }
    box.append(item);
  }
  return box;
}

async function pbExplain(step, action) {
  const out = document.getElementById("pb-explain");
  out.replaceChildren(el("p", { class: "hint", text: "…" }));
  try {
    const a = await api("/explain", { scenario: { title: pb.result.title, facts: step.facts }, action, date: step.date });
    const det = a.determinations[0];
    out.replaceChildren(el("h3", { text: `${label(state.vocab.actions[action])} · ${t("pb_step")} ${step.id} · ${step.date}` }),
      el("p", { class: `status status-${det.status}`, "data-status": det.status, text: t(det.status) }),
      el("ul", { class: "tree" }, treeNode(det.explanation)));
  } catch (e) {
    out.replaceChildren(el("p", { text: `${t("error")}: ${e.message}` }));
  }
}

function pbRender() {
  const view = document.getElementById("pb-view");
  const r = pb.result;
  const { cols, forks: met } = pbColumns(r);
  pb.index = Math.min(pb.index, cols.length - 1);
  const forks = el("div", { id: "pb-forks" });
  for (const f of met) {
    const group = el("span", { class: "pb-fork" }, `${t("pb_branch")} ${f.id || "·"}: `);
    for (const b of f.branches) {
      const button = el("button", { type: "button", "data-branch": b.name, text: b.label || b.name });
      if (pb.path[f.id] === b.name) button.classList.add("active");
      button.addEventListener("click", () => { pb.path[f.id] = b.name; pbRender(); });
      group.append(button);
    }
    forks.append(group);
  }
  const table = el("table", { id: "pb-grid" });
  const head = el("tr", {}, el("th", {}));
  cols.forEach((s, i) => {
    const parts = s.id.split("/");
    const branch = parts.length > 1 ? parts[parts.length - 2] : "";
    const th = el("th", { "data-step": s.id, title: `${branch ? branch + " · " : ""}${s.date} · ${s.label}`, text: parts[parts.length - 1] });
    if (i === pb.index) th.classList.add("current");
    if (branch && parts[parts.length - 1] === "1") th.classList.add("pb-branch-start");
    th.addEventListener("click", () => { pb.index = i; pbRender(); });
    head.append(th);
  });
  table.append(head);
  r.actions.forEach((action, row) => {
    const tr = el("tr", {}, el("th", { class: "pb-row", text: label(state.vocab.actions[action]) }));
    cols.forEach((s, i) => {
      const c = s.cells[row];
      const first = s.id.endsWith("/1") ? " pb-branch-start" : "";
      const td = el("td", { class: `pb-cell bg-${c.status}${i === pb.index ? " current" : ""}${first}`, "data-step": s.id, "data-action": action, "data-status": c.status, title: `${s.id} · ${pbWords(c)}`, tabindex: "0" },
        c.pending.length ? el("span", { class: "pb-dot", text: "●" }) : null);
      if (c.expect_met === false) td.classList.add("pb-mismatch");
      td.addEventListener("click", () => { pb.index = i; pbRender(); pbExplain(s, action); });
      tr.append(td);
    });
    table.append(tr);
  });
  const prev = el("button", { type: "button", id: "pb-prev", text: t("pb_prev") });
  const next = el("button", { type: "button", id: "pb-next", text: t("pb_next") });
  prev.disabled = pb.index === 0; next.disabled = pb.index === cols.length - 1;
  prev.addEventListener("click", () => { pb.index = Math.max(0, pb.index - 1); pbRender(); });
  next.addEventListener("click", () => { pb.index = Math.min(cols.length - 1, pb.index + 1); pbRender(); });
  view.replaceChildren(el("h2", { text: r.title }), el("p", { class: "hint", text: r.source || "" }), forks,
    el("div", { class: "pb-scroll" }, table), el("p", { class: "hint", text: t("pb_click") }),
    el("p", {}, prev, " ", next), pbDetail(cols[pb.index]), el("div", { id: "pb-explain" }));
}

async function pbLoad(name) {
  pb.name = name; pb.path = {}; pb.index = 0;
  const view = document.getElementById("pb-view");
  try {
    const book = await api(`/playbooks/${name}`);
    pb.result = await api("/playbook", book);
    pbRender();
  } catch (e) {
    view.replaceChildren(el("p", { text: `${t("error")}: ${e.message}` }));
  }
}

async function showPlaybook(name) {
  const page = document.getElementById("lawpage");
  showOnly("lawpage");
  if (!pb.actors) pb.actors = (await api("/playbooks/actors")).actors;
  const select = el("select", { id: "pb-library" }, el("option", { value: "", text: t("choose") }));
  for (const p of await api("/playbooks")) {
    const opt = el("option", { value: p.name, text: p.title });
    if (p.name === name) opt.selected = true;
    select.append(opt);
  }
  select.addEventListener("change", () => { if (select.value) location.hash = `#/playbook/${select.value}`; });
  page.replaceChildren(el("p", {}, backLink().firstChild),
    el("h2", { text: t("playbooks") }), el("label", {}, `${t("pb_choose")} `, select), el("div", { id: "pb-view" }));
  if (name) {
    if (name === pb.name && pb.result) pbRender(); else await pbLoad(name);
  }
}


function renderStatic() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.getElementById("lang-en").classList.toggle("active", state.lang === "en");
  document.getElementById("lang-ja").classList.toggle("active", state.lang === "ja");
  document.getElementById("lang-en").setAttribute("aria-pressed", String(state.lang === "en"));
  document.getElementById("lang-ja").setAttribute("aria-pressed", String(state.lang === "ja"));
}

async function loadMessages() {
  const m = await optional(`/messages/${state.lang}`);
  state.messages = m && typeof m === "object" ? m : {};
}

let routed = null;
function route() {
  routed = location.search + location.hash;
  pageSeq++;
  const hash = location.hash.slice(1);
  const asked = readQuery(location.search);  // the state in the address, for every page
  renderStatic();
  if (hash.startsWith("/playbook")) { showPlaybook(decodeURIComponent(hash.slice(10))); return; }
  if (hash.startsWith("/pathways")) { showPathways(); return; }
  if (hash.startsWith("/sources")) { showSources(decodeURIComponent(hash.slice(9))); return; }
  if (hash.startsWith("/law")) { showLaw(decodeURIComponent(hash.slice(5))); return; }
  if (hash.startsWith("s=") && readOldHash(hash.slice(2))) { renderStatic(); openExplorer(); return; }
  if (asked) {
    const c = state.cases.find(x => x.name === state.caseName);
    if (c) { state.title = c.title; api(`/scenarios/${c.name}`).then(s => { state.description = s.description; state.source = s.source; renderBuilder(true); }).catch(() => {}); }
    openExplorer(true);
    return;
  }
  showStart();
}

async function main() {
  const [vocab, law, cases, sources, reforms] = await Promise.all([api("/vocabulary"), api("/law"), api("/scenarios"), optional("/sources"), optional("/reforms")]);
  state.vocab = vocab;
  for (const p of law) state.law[p.id] = p;
  state.cases = cases;
  state.sources = sources || {};
  state.reforms = Array.isArray(reforms) ? reforms : [];
  const q = new URLSearchParams(location.search);
  if (q.get("lang") === "ja") state.lang = "ja";
  await loadMessages();
  const switchTo = async lang => {
    state.lang = lang;
    await loadMessages();
    if (document.getElementById("lawpage").hidden && document.getElementById("start").hidden && document.getElementById("interview").hidden) {
      renderStatic(); renderBuilder(); schedule(0);
    } else if (!document.getElementById("interview").hidden) { renderStatic(); showInterview(); } else {
      if (location.search) saveState();
      route();
    }
  };
  document.getElementById("lang-en").addEventListener("click", () => switchTo("en"));
  document.getElementById("lang-ja").addEventListener("click", () => switchTo("ja"));
  document.getElementById("share").addEventListener("click", () => {
    saveState();
    if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(() => {});
    document.getElementById("share-note").textContent = t("copied");
  });
  document.getElementById("home").addEventListener("click", e => { e.preventDefault(); history.pushState(null, "", location.pathname); route(); });
  // a fragment change fires both events: route once per address
  const onAddress = () => { if (location.search + location.hash !== routed) route(); };
  window.addEventListener("hashchange", onAddress);
  window.addEventListener("popstate", onAddress);
  route();
}

main();
