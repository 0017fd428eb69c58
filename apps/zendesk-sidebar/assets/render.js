// The handoff as the sidebar shows it: built from the service's JSON (handoff/core/render/sidebar_view.py) with
// DOM calls only (text is never parsed as HTML, so nothing a customer wrote can run in the agent's Zendesk).

/** An element with attributes (on* are listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const fixed = (x) => (typeof x === "number" ? x.toFixed(2) : "n/a");

function when(iso, lang) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}

function topBar(h, t) {
  const s = h.sentiment;
  const name = h.customer.name || h.customer.email || "—";
  return el("header", { class: "top" },
    el("div", { class: "who" },
      el("h1", { id: "customer-name" }, name),
      el("span", { class: "badge tier", "data-testid": "tier" }, `${t("tier")}: ${h.tier || t("noTier")}`),
      h.priority ? el("span", { class: `badge priority p-${h.priority}` }, `${t("priority")}: ${h.priority}`) : null),
    el("div", { class: `sentiment s-${s.level}`, role: "status", "data-testid": "sentiment",
                "aria-label": `${t("sentiment")}: ${t(s.label)}` },
      el("span", { class: "dot", "aria-hidden": "true" }, s.symbol),
      el("span", { class: "word" }, t(s.label)),
      typeof s.score === "number" ? el("span", { class: "score" }, ` (${s.score >= 0 ? "+" : ""}${fixed(s.score)})`) : null));
}

function statusLine(h, t) {
  const text = h.status === "claimed" && h.claimed_by ? t("claimed", { name: h.claimed_by.name })
    : t(h.status) || h.status;
  return el("p", { class: `status st-${h.status}`, "data-testid": "status" }, text);
}

function actions(h, t, on) {
  return el("div", { class: "actions" },
    h.can_claim ? el("button", { type: "button", class: "primary", id: "claim", onclick: on.claim }, t("claim")) : null,
    h.can_hand_back ? el("button", { type: "button", id: "hand-back", onclick: on.handBack }, t("handBack")) : null,
    el("span", { class: "notice", id: "notice", role: "status", "aria-live": "polite" }));
}

function reasons(h, t) {
  const items = h.reasons.length ? h.reasons.map((r) => el("li", {},
    el("strong", {}, r.label),
    r.message_number ? el("span", { class: "muted" }, ` · ${t("atMessage", { n: r.message_number })}`) : null,
    r.evidence ? el("blockquote", {}, `“${r.evidence}”`) : null,
    r.detail ? el("span", { class: "muted detail" }, r.detail) : null))
    : [el("li", {}, t("requestedByBot"))];
  return el("section", { "aria-labelledby": "why" }, el("h2", { id: "why" }, t("why")), el("ul", { class: "reasons" }, items));
}

function nextStep(h, t, on) {
  return el("section", { "aria-labelledby": "next" },
    el("h2", { id: "next" }, t("recommended")),
    el("p", { class: "recommended", "data-testid": "recommended" }, h.recommended_action),
    el("h3", {}, t("greeting")),
    el("p", { class: "greeting", id: "greeting" }, h.greeting),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "copy-greeting", onclick: on.copy }, t("copy")),
      el("button", { type: "button", id: "insert-greeting", onclick: on.insert }, t("insert"))));
}

function accountSection(h, t) {
  const a = h.account;
  const sources = a.sources.map((s) => el("div", { class: `source ${s.available ? "ok" : "off"}`, "data-source": s.source },
    el("h4", {}, s.name, s.available ? null : el("span", { class: "badge off" }, `⚠ ${t("unavailable")}`)),
    s.available
      ? el("dl", {}, s.facts.map((f) => [el("dt", {}, f.label), el("dd", {}, f.value)]))
      : el("p", { class: "muted reason" }, s.reason)));
  const tickets = a.open_tickets.items.length
    ? el("ul", {}, a.open_tickets.items.map((x) => el("li", {}, `#${x.id} ${x.subject || ""}`, x.status ? el("span", { class: "muted" }, ` (${x.status})`) : null)))
    : el("p", { class: "muted" }, a.open_tickets.known ? t("noOpenTickets") : t("ticketsUnknown"));
  const signals = a.signals.length ? el("p", { class: "signals" }, a.signals.map((f) => `${f.label}: ${f.value}`).join(" · ")) : null;
  return el("details", { open: true, id: "account" },
    el("summary", {}, t("account"), el("span", { class: "muted asof" }, ` · ${t("asOf", { time: when(a.as_of, t.lang) })}`)),
    signals, sources, el("h4", {}, t("openTickets")), tickets);
}

function aiSection(h, t) {
  const ai = h.ai;
  const c = ai.confidence;
  const shown = ai.attempts.length;
  return el("details", { id: "ai" },
    el("summary", {}, t("aiTried"), c.last !== null && c.last !== undefined ? el("span", { class: "muted" }, ` · ${t("confidence")} ${fixed(c.last)}`) : null),
    shown ? el("ol", { class: "attempts" }, ai.attempts.map((x) => el("li", {},
      el("span", {}, x.text),
      x.confidence !== null && x.confidence !== undefined ? el("span", { class: "muted" }, ` (${t("confidence")} ${fixed(x.confidence)})`) : null,
      x.kb_articles.length ? el("div", { class: "muted" }, "KB: ", x.kb_articles.map((k) => `${k.id} ${k.title || ""}`.trim()).join("; ")) : null,
      x.actions.length ? el("div", { class: "muted" }, x.actions.join(", ")) : null)))
      : el("p", { class: "muted" }, t("noAiReplies")),
    ai.total > shown ? el("p", { class: "muted" }, t("earlier", { n: ai.total - shown })) : null,
    c.last !== null && c.last !== undefined ? el("p", {}, t("aiConfidence", { last: fixed(c.last), min: fixed(c.min), avg: fixed(c.avg) })) : null);
}

function similarSection(h, t) {
  if (!h.similar.length) return null;
  return el("details", { id: "similar" }, el("summary", {}, `${t("similar")} (${h.similar.length})`),
    el("ul", {}, h.similar.map((c) => el("li", {}, el("strong", {}, c.title),
      el("span", { class: "muted" }, ` · ${t("resolvedIn", { t: c.resolved_in })}`), el("p", {}, c.resolution)))));
}

function repliesSection(h, t) {
  if (!h.suggested_replies.length) return null;
  return el("details", { id: "replies" }, el("summary", {}, t("replies")),
    el("ol", {}, h.suggested_replies.map((r) => el("li", {}, r))));
}

function transcriptSection(h, t) {
  const tr = h.transcript;
  return el("details", { id: "transcript" },
    el("summary", {}, t("transcript"), el("span", { class: "muted" }, ` · ${t(tr.total === 1 ? "message" : "messages", { n: tr.total })}`)),
    tr.total > tr.messages.length ? el("p", { class: "muted" }, t("earlier", { n: tr.total - tr.messages.length })) : null,
    el("ol", { class: "transcript" }, tr.messages.map((m) => el("li", { class: `role-${m.role}`, value: m.number || undefined },
      el("span", { class: "role" }, t(m.role) || m.role), " ", el("span", {}, m.text)))));
}

/** The whole sidebar for one handoff; `on` holds the button handlers (claim, handBack, copy, insert). */
export function renderHandoff(root, h, t, on) {
  const parts = [
    topBar(h, t),
    statusLine(h, t),
    el("p", { class: "summary", "data-testid": "summary" }, h.summary),
    h.page ? el("p", { class: "muted page" }, `${t("page")}: ${h.page.label || h.page.url}`) : null,
    actions(h, t, on),
    reasons(h, t),
    nextStep(h, t, on),
    accountSection(h, t),
    aiSection(h, t),
    similarSection(h, t),
    repliesSection(h, t),
    transcriptSection(h, t)];
  root.replaceChildren(...parts.filter(Boolean)); // an absent section is null: never the text "null"
}

/** The sidebar of a ticket Handoff did not escalate. */
export function renderNoHandoff(root, t) {
  root.replaceChildren(el("div", { class: "empty", "data-testid": "no-handoff" },
    el("h1", {}, t("noHandoff")), el("p", { class: "muted" }, t("noHandoffHelp"))));
}

/** The sidebar when the service could not be asked, with a retry. */
export function renderFailure(root, t, message, retry) {
  root.replaceChildren(el("div", { class: "empty error", role: "alert" },
    el("h1", {}, t("failed")), el("p", { class: "muted" }, message),
    el("button", { type: "button", onclick: retry }, t("retry"))));
}
