// article9 web explorer: a thin page over the HTTP API. No law logic here.
"use strict";

const UI = {
  tagline: { en: "Japan's law on the use of force and SDF operations, executable", ja: "武力の行使と自衛隊の行動に関する日本の法を実行可能にしたもの" },
  date: { en: "Date", ja: "日付" },
  compare_with: { en: "Compare with", ja: "比較する日付" },
  share: { en: "Copy link", ja: "リンクをコピー" },
  law: { en: "The law", ja: "法令一覧" },
  pathways: { en: "Pathways to change", ja: "法改正への経路" },
  pathways_note: { en: "Seats as after each house's latest election; the red line is two-thirds of all members, the amber line a majority.", ja: "各院の直近の選挙後の議席数。赤線は総議員の三分の二、黄線は過半数。" },
  scenario: { en: "Scenario", ja: "シナリオ" },
  load: { en: "Load a bundled scenario:", ja: "収録シナリオを読み込む：" },
  choose: { en: "(choose…)", ja: "（選択…）" },
  unknown_hint: { en: "Facts left unknown can still decide an answer; the cards say which ones matter.", ja: "不明のままの事実も判定を左右し得ます。各カードにどの事実が決め手となるかを示します。" },
  world_fact: { en: "World facts", ja: "事実" },
  judgment: { en: "Government judgments", ja: "政府の判断" },
  procedural: { en: "Procedure", ja: "手続" },
  actions: { en: "Actions to assess", ja: "判定する行為" },
  unknown: { en: "unknown", ja: "不明" },
  yes: { en: "yes", ja: "はい" },
  no: { en: "no", ja: "いいえ" },
  permitted: { en: "Permitted (known true)", ja: "許される（確定）" },
  not_permitted: { en: "Not permitted (known false)", ja: "許されない（確定）" },
  depends: { en: "Depends (possibly true)", ja: "未確定（事実次第）" },
  depends_negative: { en: "Depends, but never permitted: whether it is not permitted or outside the encoded law turns on the facts", ja: "未確定（許されることはない。許されないか符号化された法の範囲外かは事実次第）" },
  no_encoded_basis: { en: "Outside the encoded law: no provision encoded here makes this lawful, and the rule base does not claim its list of bases is complete", ja: "符号化された法の範囲外：ここで符号化されたどの規定によっても適法とならず、ルールベースは根拠の一覧が完全であるとは主張しない" },
  outside_if: { en: "Outside the encoded law if any of", ja: "次のいずれかなら符号化された法の範囲外" },
  closure: { en: "Closure", ja: "完結性" },
  closure_true: { en: "the rule base claims its bases for this action are the only ones the law gives on this date", ja: "この日のこの行為について、符号化された根拠が法の定める根拠のすべてであると主張する" },
  closure_false: { en: "no closure claim covers this action on this date, so 'not permitted' is not claimed", ja: "この日のこの行為について完結性の主張はなく、「許されない」とは判定しない" },
  closure_unknown: { en: "a closure claim covers this action only under some of the unknown facts", ja: "不明な事実によっては完結性の主張がこの行為を覆う" },
  encoded_to: { en: "Law encoded and checked up to", ja: "法の符号化・確認の基準日" },
  gap: { en: "Known gap in the encoded law", ja: "符号化されていない既知の部分" },
  constitutional: { en: "Constitution, as read on this date", ja: "当日の政府解釈による憲法上の許容性" },
  basis: { en: "Statutory basis", ja: "法律上の根拠" },
  none: { en: "none in force", ja: "施行中の根拠なし" },
  procedure: { en: "Procedure", ja: "手続" },
  why: { en: "Why (explanation)", ja: "理由（説明）" },
  permitted_if: { en: "Permitted if any of", ja: "次のいずれかなら許される" },
  not_permitted_if: { en: "Not permitted if any of", ja: "次のいずれかなら許されない" },
  on: { en: "On", ja: "" },
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
  error: { en: "Error", ja: "エラー" },
  playbooks: { en: "Playbooks", ja: "危機シナリオ" },
  pb_choose: { en: "Play a bundled crisis:", ja: "収録された危機を再生：" },
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

const state = { lang: "en", facts: {}, date: "", date2: "", actions: [], vocab: null, law: {} };
const pb = { name: "", result: null, path: {}, index: 0, actors: null };
let timer = null;

function t(key) { return (UI[key] || {})[state.lang] || (UI[key] || {}).en || key; }
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
function label(item) { return item.label[state.lang] || item.label.en; }

async function api(path, body) {
  const res = await fetch(path, body ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {});
  const data = await res.json();
  if (!res.ok) {
    const detail = Array.isArray(data.detail) ? data.detail.map(d => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ") : data.detail;
    throw new Error(detail);
  }
  return data;
}

function todayIso() { return new Date().toISOString().slice(0, 10); }

function encodeState() {
  const json = JSON.stringify({ f: state.facts, d: state.date, d2: state.date2, l: state.lang, a: state.actions });
  return btoa(unescape(encodeURIComponent(json))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function decodeState(text) {
  try {
    const json = decodeURIComponent(escape(atob(text.replace(/-/g, "+").replace(/_/g, "/"))));
    const s = JSON.parse(json);
    state.facts = s.f || {}; state.date = s.d || ""; state.date2 = s.d2 || ""; state.lang = s.l === "ja" ? "ja" : "en";
    state.actions = Array.isArray(s.a) ? s.a : [];
  } catch (e) { /* a broken link starts empty */ }
}

function renderStatic() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.getElementById("lang-en").classList.toggle("active", state.lang === "en");
  document.getElementById("lang-ja").classList.toggle("active", state.lang === "ja");
  const v = state.vocab;
  for (const kind of ["world_fact", "judgment", "procedural"]) {
    const box = document.getElementById(`facts-${kind}`);
    box.replaceChildren();
    for (const [name, fact] of Object.entries(v.facts)) {
      if (fact.kind !== kind) continue;
      const select = el("select", { "data-fact": name, "aria-label": name });
      for (const [value, key] of [["", "unknown"], ["true", "yes"], ["false", "no"]]) {
        const opt = el("option", { value, text: t(key) });
        if (String(state.facts[name] ?? "") === value) opt.selected = true;
        select.append(opt);
      }
      select.addEventListener("change", () => {
        if (select.value === "") delete state.facts[name]; else state.facts[name] = select.value === "true";
        schedule();
      });
      box.append(el("div", { class: "fact" }, el("span", { text: fact.question[state.lang] }), select,
        el("small", { text: fact.help[state.lang] })));
    }
  }
  const acts = document.getElementById("actions");
  acts.replaceChildren();
  for (const [name, action] of Object.entries(v.actions)) {
    const box = el("input", { type: "checkbox", "data-action": name });
    box.checked = state.actions.length === 0 || state.actions.includes(name);
    box.addEventListener("change", () => {
      state.actions = [...acts.querySelectorAll("input:checked")].map(i => i.dataset.action);
      if (state.actions.length === Object.keys(v.actions).length) state.actions = [];
      schedule();
    });
    acts.append(el("label", { class: "fact" }, el("span", { text: label(action) }), box));
  }
  document.getElementById("date").value = state.date;
  document.getElementById("date2").value = state.date2;
  document.getElementById("year").value = state.date.slice(0, 4);
}

function schedule() { clearTimeout(timer); timer = setTimeout(assess, 150); history.replaceState(null, "", `#s=${encodeState()}`); }

function treeNode(step) {
  const text = (step.negated && step.value === "false") ? step.text : (step.negated ? `not: ${step.text}` : step.text);
  const shown = (step.negated && step.value === "false") ? "true" : step.value;
  const li = el("li", { class: `v-${shown}` }, el("span", { text }));
  if (step.rule) {
    const p = step.rule.provision;
    const info = state.law[p.id];
    const summary = info ? (state.lang === "ja" && info.summary_ja ? info.summary_ja : info.summary) : "";
    li.append(el("details", { class: "prov psum" },
      el("summary", {}, el("a", { href: `#/law/${p.id}`, title: step.rule.text, text: `${p.id} [${p.marker}]` })),
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
  for (const one of sets) {
    ul.append(el("li", { text: Object.entries(one).map(([k, v]) => `${k} = ${v ? t("yes") : t("no")}`).join("; ") }));
  }
  return el("div", {}, el("strong", { text: `${t(title)}:` }), ul);
}

function card(det, other, otherDate) {
  const lawful = det.bases.filter(b => b.lawful !== "false");
  const basis = lawful.length ? lawful.map(b => `${b.provision.title} [${b.provision.marker}]${b.provision.today ? ` (${t("today_numbered")} ${b.provision.today})` : ""} (${b.provision.id})`).join("; ") : t("none");
  const steps = lawful.flatMap(b => b.procedure.filter(s => s.required !== "false").map(s => `${s.done === "true" ? "✓" : s.done === "false" ? "✗" : "?"} ${s.label}${(s.demanded_by || []).filter(d => d !== b.provision.id).length ? ` [${s.demanded_by.filter(d => d !== b.provision.id).join(", ")}]` : ""}`));
  const node = el("article", { class: "card", "data-action": det.action },
    el("h3", { text: det.label }, " ", el("code", { text: det.action })),
    el("p", { class: `status status-${det.status}`, "data-status": det.status, text: t(det.status === "depends" && !det.permitted_if.length && det.sets_complete && (det.not_permitted_if.length || det.outside_if.length) ? "depends_negative" : det.status) }),
    other ? el("p", { class: `second status-${other.status}`, "data-status2": other.status, text: `${otherDate}: ${t(other.status)}` }) : null,
    el("p", { text: `${t("constitutional")}: ${t(det.constitutional === "true" ? "yes_word" : det.constitutional === "false" ? "no_word" : "depends_word")}` }),
    el("p", { text: `${t("basis")}: ${basis}` }),
    steps.length ? el("p", { text: `${t("procedure")}: ${steps.join("; ")}` }) : null,
    det.status !== "permitted" && det.closure ? el("p", { class: `closure closure-${det.closure.closed}`, text: `${t("closure")}: ${t("closure_" + det.closure.closed)}${det.closure.claims.length ? ` (${det.closure.claims.map(c => `${c.id} [${c.marker}]`).join(", ")})` : ""}` }) : null,
    setList("permitted_if", det.permitted_if),
    setList("not_permitted_if", det.not_permitted_if),
    setList("outside_if", det.outside_if),
    el("details", {}, el("summary", { text: t("why") }), el("ul", { class: "tree" }, treeNode(det.explanation))));
  return node;
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
    for (const g of r.reach.gaps) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      out.push(el("p", { class: "gap", "data-gap": g.id, text: `${t("gap")}: ${g.title} (${g.window}): ${g.note} [${g.source}]` }));
    }
  }
  return out;
}

async function assess() {
  const message = document.getElementById("message");
  const cards = document.getElementById("cards");
  const dates = [state.date || todayIso()];
  if (state.date2) dates.push(state.date2);
  try {
    const result = await api("/assess", { scenario: { title: "web", facts: state.facts }, dates, actions: state.actions, lang: state.lang });
    message.replaceChildren(`${result[0].date} · ${t("rulebase")} ${result[0].rulebase.hash.slice(0, 12)}`, ...reachNotes(result));
    cards.replaceChildren(...result[0].determinations.map((d, i) => card(d, result[1] ? result[1].determinations[i] : null, result[1] ? result[1].date : "")));
  } catch (e) {
    message.textContent = `${t("error")}: ${e.message}`;
    cards.replaceChildren();
  }
}

async function showLaw(id) {
  const page = document.getElementById("lawpage");
  document.getElementById("builder").hidden = true;
  document.getElementById("results").hidden = true;
  page.hidden = false;
  page.replaceChildren(el("p", {}, el("a", { href: `#s=${encodeState()}`, text: t("back") })));
  try {
    if (!id) {
      const list = await api("/law");
      const table = el("table");
      for (const p of list) {
        table.append(el("tr", {}, el("td", {}, el("a", { href: `#/law/${p.id}`, text: p.id })),
          el("td", { text: `[${p.marker}]` }), el("td", { text: state.lang === "ja" && p.title_ja ? p.title_ja : p.title }),
          el("td", { text: p.window || t("no_rules") })));
      }
      page.append(el("h2", { text: t("law") }), table);
      return;
    }
    const p = await api(`/law/${id}`);
    if (p.provisions) {
      const list = el("ul");
      for (const q of p.provisions) {
        list.append(el("li", {}, el("a", { href: `#/law/${q.id}`, text: q.id }), ` [${q.marker}] ${state.lang === "ja" && q.title_ja ? q.title_ja : q.title}`));
      }
      page.append(el("h2", { text: state.lang === "ja" ? p.title_ja : p.title }),
        el("p", { text: [p.law_number, p.promulgated && `promulgated ${p.promulgated}`, p.in_force && `in force ${p.in_force}`].filter(Boolean).join(" · ") }),
        el("p", { class: "summary", text: p.intro }), list);
      return;
    }
    page.append(
      el("h2", { text: `${p.id} ${state.lang === "ja" && p.title_ja ? p.title_ja : p.title} [${p.marker}]` }),
      el("p", {}, `${t("instrument")}: `, el("a", { href: `#/law/${p.instrument}`, text: `${state.lang === "ja" ? p.instrument_title_ja : p.instrument_title}${p.law_number ? ` (${p.law_number})` : ""}` })),
      el("p", { class: "summary", text: state.lang === "ja" ? (p.summary_ja || t("summary_missing")) : p.summary }),
      el("p", { text: `sources: ${p.sources.join(", ")}` }),
      el("h3", { text: p.blocks.length ? t("rules_in_force") : t("no_rules") }));
    for (const b of p.blocks) page.append(el("p", { text: `${b.from} .. ${b.to || ""}` }), el("pre", { text: b.rules }));
  } catch (e) {
    page.append(el("p", { text: `${t("error")}: ${e.message}` }));
  }
}

async function showPathways() {
  const page = document.getElementById("lawpage");
  document.getElementById("builder").hidden = true;
  document.getElementById("results").hidden = true;
  page.hidden = false;
  page.replaceChildren(el("p", {}, el("a", { href: `#s=${encodeState()}`, text: t("back") })), el("h2", { text: t("pathways") }));
  try {
    const day = state.date || todayIso();
    const p = await api(`/pathways?date=${day}`);
    for (const r of p.results) {
      const box = el("div", { class: "card pathway" }, el("h3", { text: `${day}: ${r.name}${r.parties.length ? " — " + r.parties.join(", ") : ""}` }));
      for (const h of r.houses) {
        const needs = Object.entries(h.needs).map(([k, v]) => `${k} ${v}${h.shortfall[k] ? ` (−${h.shortfall[k]})` : " ✓"}`).join("; ");
        box.append(el("p", { text: `${h.house} (${h.election}): ${h.seats}/${h.size} · ${needs}` }));
      }
      if (r.houses.length) box.append(el("p", { class: "routes", text: `open: ${r.routes_open.join(", ") || "-"}` }));
      if (r.note) box.append(el("p", { class: "hint", text: r.note }));
      page.append(box);
    }
  } catch (e) {
    page.append(el("p", { text: `${t("error")}: ${e.message}` }));
  }
  page.append(el("p", { class: "hint", text: t("pathways_note") }), el("img", { id: "chart", src: "/pathways/chart.svg", alt: t("pathways") }));
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
  return Object.entries(facts).map(([k, v]) => `${k} = ${v === null ? t("unknown") : v ? t("yes") : t("no")}`).join("; ");
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
      el("strong", { text: label(state.vocab.actions[c.action]) }), " ",
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
  document.getElementById("builder").hidden = true;
  document.getElementById("results").hidden = true;
  page.hidden = false;
  if (!pb.actors) pb.actors = (await api("/playbooks/actors")).actors;
  const select = el("select", { id: "pb-library" }, el("option", { value: "", text: t("choose") }));
  for (const p of await api("/playbooks")) {
    const opt = el("option", { value: p.name, text: p.title });
    if (p.name === name) opt.selected = true;
    select.append(opt);
  }
  select.addEventListener("change", () => { if (select.value) location.hash = `#/playbook/${select.value}`; });
  page.replaceChildren(el("p", {}, el("a", { href: `#s=${encodeState()}`, text: t("back") })),
    el("h2", { text: t("playbooks") }), el("label", {}, `${t("pb_choose")} `, select), el("div", { id: "pb-view" }));
  if (name) {
    if (name === pb.name && pb.result) pbRender(); else await pbLoad(name);
  }
}

function route() {
  const hash = location.hash.slice(1);
  if (hash.startsWith("/playbook")) { renderStatic(); showPlaybook(decodeURIComponent(hash.slice(10))); return; }
  if (hash.startsWith("/pathways")) { renderStatic(); showPathways(); return; }
  if (hash.startsWith("/law")) { renderStatic(); showLaw(decodeURIComponent(hash.slice(5))); return; }
  if (hash.startsWith("s=")) decodeState(hash.slice(2));
  document.getElementById("lawpage").hidden = true;
  document.getElementById("builder").hidden = false;
  document.getElementById("results").hidden = false;
  renderStatic();
  assess();
}

async function main() {
  state.vocab = await api("/vocabulary");
  for (const p of await api("/law")) state.law[p.id] = p;
  state.date = todayIso();
  const year = document.getElementById("year");
  year.max = String(new Date().getFullYear());
  const library = await api("/scenarios");
  const select = document.getElementById("library");
  for (const s of library) select.append(el("option", { value: s.name, text: s.title }));
  select.addEventListener("change", async () => {
    if (!select.value) return;
    const s = await api(`/scenarios/${select.value}`);
    state.facts = Object.fromEntries(Object.entries(s.facts).filter(([, v]) => v !== null));
    state.actions = s.actions || [];
    if (s.dates && s.dates.length) state.date = s.dates[0];
    state.date2 = s.dates && s.dates.length > 1 ? s.dates[s.dates.length - 1] : "";
    renderStatic(); schedule();
  });
  document.getElementById("date").addEventListener("change", e => { state.date = e.target.value; year.value = state.date.slice(0, 4); schedule(); });
  document.getElementById("date2").addEventListener("change", e => { state.date2 = e.target.value; schedule(); });
  year.addEventListener("input", () => {
    state.date = `${year.value}${(state.date || todayIso()).slice(4)}`;
    document.getElementById("date").value = state.date; schedule();
  });
  const switchTo = lang => {
    state.lang = lang;
    if (!document.getElementById("lawpage").hidden) route(); else { renderStatic(); schedule(); }
  };
  document.getElementById("lang-en").addEventListener("click", () => switchTo("en"));
  document.getElementById("lang-ja").addEventListener("click", () => switchTo("ja"));
  document.getElementById("share").addEventListener("click", () => {
    history.replaceState(null, "", `#s=${encodeState()}`);
    if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(() => {});
    document.getElementById("message").textContent = t("copied");
  });
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#/law") || location.hash.startsWith("#/pathways") || location.hash.startsWith("#/playbook") || !document.getElementById("lawpage").hidden) route();
  });
  route();
}

main();
