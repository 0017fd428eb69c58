// The sidebar app: asks Handoff for this ticket's handoff through Zendesk's proxy and renders it.
// The service key stays a secure setting: the proxy puts it in the Authorization header server-side.
import { translator } from "./i18n.js";
import { renderFailure, renderHandoff, renderNoHandoff } from "./render.js";

const client = window.ZAFClient.init();
const root = document.getElementById("app");
let t = translator("en");
let ctx = null; // { base, ticketId, externalId, email }

function ask(path, method = "GET", body = undefined) {
  const options = {
    url: ctx.base + path,
    type: method,
    secure: true,
    cors: false,
    headers: { Authorization: "Bearer {{setting.service_key}}" },
    dataType: "json",
  };
  if (body !== undefined) {
    options.contentType = "application/json";
    options.data = JSON.stringify(body);
  }
  return client.request(options);
}

/** What a refused request says: the service's `error` or `message`, else the HTTP status. */
function problem(err) {
  const body = err && (err.responseJSON || (() => { try { return JSON.parse(err.responseText); } catch { return null; } })());
  return (body && (body.error || body.message)) || (err && err.status ? `HTTP ${err.status}` : String(err && err.message || err));
}

function resize() {
  client.invoke("resize", { width: "100%", height: `${Math.min(document.body.scrollHeight + 8, 2000)}px` });
}

function notice(text, ok = true) {
  const n = document.getElementById("notice");
  if (n) {
    n.textContent = text;
    n.className = `notice ${ok ? "ok" : "bad"}`;
  }
}

function show(handoff) {
  const greeting = () => handoff.greeting || "";
  renderHandoff(root, handoff, t, {
    claim: () => act("claim", handoff, t("claimedOk")),
    handBack: () => act("hand-back", handoff, t("handedBackOk")),
    copy: async (e) => {
      await copyText(greeting());
      e.target.textContent = t("copied");
    },
    insert: async () => {
      await client.invoke("ticket.editor.insert", greeting());
      notice(t("inserted"));
    },
  });
  window.__handoffRendered = performance.now(); // read by the bench and the browser tests
  resize();
}

async function act(what, handoff, done) {
  try {
    const answer = await ask(`/zendesk-app/handoffs/${encodeURIComponent(handoff.handoff_id)}/${what}`, "POST",
      { agent_email: ctx.email });
    show(answer.handoff);
    notice(answer.message || done);
  } catch (err) {
    const body = err && err.responseJSON;
    if (body && body.handoff) show(body.handoff);
    notice(problem(err), false);
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // an iframe without clipboard permission: the old way, through a selected textarea
    const area = Object.assign(document.createElement("textarea"), { value: text });
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

async function load() {
  root.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: t("loading") }));
  try {
    const answer = await ask(`/zendesk-app/tickets/${encodeURIComponent(ctx.ticketId)}` +
      (ctx.externalId ? `?external_id=${encodeURIComponent(ctx.externalId)}` : ""));
    window.__handoffAnswered = performance.now();
    if (answer.handoff) show(answer.handoff);
    else {
      renderNoHandoff(root, t);
      window.__handoffRendered = performance.now();
      resize();
    }
  } catch (err) {
    renderFailure(root, t, problem(err), load);
    resize();
  }
}

async function start() {
  const [meta, data] = await Promise.all([
    client.metadata(),
    client.get(["ticket.id", "ticket.externalId", "currentUser.email", "currentUser.locale"]),
  ]);
  t = translator(data["currentUser.locale"]);
  document.documentElement.lang = t.lang;
  ctx = {
    base: String(meta.settings.service_url || "").replace(/\/+$/, ""),
    ticketId: data["ticket.id"],
    externalId: data["ticket.externalId"] || null,
    email: data["currentUser.email"] || null,
  };
  await load();
}

client.on("app.registered", () => {}); // the framework's handshake; start() does not wait for it
start().catch((err) => renderFailure(root, t, problem(err), () => start()));
