// panel serve: vote buttons, live counts, the editor's controls and the new-panel form.
// Plain module, no build step. Every value goes into the page as text, never as HTML.
// The editor's token lives in this tab's sessionStorage only: pasted once, or given once in
// the address as #token=... (a fragment never reaches a server or its logs).

const body = document.body;
const server = body.dataset.server || "";
const sameOrigin = server === "";
const TOKEN_KEY = "panel_token";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function token() {
  return sameOrigin ? sessionStorage.getItem(TOKEN_KEY) : null;
}

function takeTokenFromAddress() {
  const match = location.hash.match(/^#token=([A-Za-z0-9_\-.~]+)$/);
  if (match && sameOrigin) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
}

async function api(method, path, data, editor = false) {
  const headers = {};
  if (data !== undefined) headers["content-type"] = "application/json";
  if (editor) headers["authorization"] = "Bearer " + (token() || "");
  const voter = !sameOrigin && localStorage.getItem("panel_voter");
  if (voter) headers["x-panel-voter"] = voter;
  const response = await fetch(server + path, {
    method, headers, credentials: sameOrigin ? "same-origin" : "omit",
    body: data === undefined ? undefined : JSON.stringify(data),
  });
  const issued = response.headers.get("x-panel-voter");
  if (issued && !sameOrigin) localStorage.setItem("panel_voter", issued);
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function loadStyles() {
  if (!document.querySelector('link[href$="/static/desk.css"]')) {
    document.head.append(el("link", { rel: "stylesheet", href: server + "/static/desk.css" }));
  }
}

function editorBar() {
  if (!sameOrigin) return;
  const main = document.querySelector("main");
  const bar = el("div", { class: "desk-bar", id: "desk-bar" });
  if (body.dataset.run) bar.append(el("a", { href: "/", class: "desk-home", text: "← All runs" }));
  if (token()) {
    const out = el("button", { type: "button", text: "Leave editor mode" });
    out.addEventListener("click", () => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); });
    bar.append(el("span", { text: "Editor mode" }), out);
  } else {
    const input = el("input", { type: "password", id: "desk-token", placeholder: "editor token", autocomplete: "off", "aria-label": "Editor token" });
    const use = el("button", { type: "button", id: "desk-token-use", text: "Edit" });
    use.addEventListener("click", () => {
      if (input.value.trim()) { sessionStorage.setItem(TOKEN_KEY, input.value.trim()); location.reload(); }
    });
    bar.append(el("span", { class: "muted", text: "Editor?" }), input, use);
  }
  main.prepend(bar);
}

// ---- a run's page -------------------------------------------------------------------------

function countsText(count) {
  const total = count.ship + count.skip;
  const pct = total ? Math.round((1000 * count.ship) / total) / 10 : null;
  return total ? `${count.ship} ship / ${count.skip} skip (${pct}%)` : "—";
}

async function votes(runId) {
  const stats = [...document.querySelectorAll("[data-community]")];
  if (!stats.length) return;
  const show = (tool, count) => {
    const stat = document.querySelector(`[data-community="${CSS.escape(tool)}"]`);
    if (stat) stat.querySelector("b").textContent = countsText(count);
  };
  for (const stat of stats) {
    const tool = stat.dataset.community;
    const row = el("div", { class: "vote-buttons" });
    const message = el("span", { class: "vote-message muted", role: "status" });
    for (const vote of ["ship", "skip"]) {
      const button = el("button", { type: "button", class: `vote vote-${vote}`, "data-vote": vote, text: vote === "ship" ? "Ship it" : "Skip it" });
      button.addEventListener("click", async () => {
        try {
          const count = await api("POST", `/api/runs/${runId}/votes`, { tool, vote });
          show(tool, count);
          row.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
          message.textContent = "Thanks: your vote counts once; vote again to change it.";
        } catch (error) { message.textContent = error.message; }
      });
      row.append(button);
    }
    stat.append(row, message);
  }
  // The buttons wait for the first answer: it carries the reader's id, which every vote names.
  const buttons = [...document.querySelectorAll("button.vote")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const answer = await api("GET", `/api/runs/${runId}/votes`);
    for (const [tool, count] of Object.entries(answer.tools)) show(tool, count);
  } catch (error) { /* the page still shows the counts it was rendered with */ }
  buttons.forEach((b) => { b.disabled = false; });
}

async function editControls(runId) {
  if (!token()) return;
  let version = (await api("GET", `/api/runs/${runId}/overrides`)).version;
  // The quotes as written (Markdown), not as the page shows them: an edit starts from the text.
  const quotes = new Map();
  for (const cell of (await api("GET", `/api/runs/${runId}`)).cells) {
    const quote = cell.override?.quote ?? cell.verdict?.quote;
    const key = `${cell.persona}|${cell.tool}`;
    if (typeof quote === "string" && !quotes.has(key)) quotes.set(key, quote);
  }
  for (const card of document.querySelectorAll("article[data-persona]")) {
    const { persona, tool } = card.dataset;
    const tools = el("div", { class: "edit-tools" });
    const edit = el("button", { type: "button", class: "edit-open", text: "Edit" });
    tools.append(edit);
    if (card.querySelector(".edited")) {
      const undo = el("button", { type: "button", class: "edit-undo", text: "Undo edit" });
      undo.addEventListener("click", async () => {
        try {
          const query = new URLSearchParams({ tool, persona, version });
          await api("DELETE", `/api/runs/${runId}/overrides?${query}`, undefined, true);
          location.reload();
        } catch (error) { tools.append(el("p", { class: "error", role: "alert", text: error.message })); }
      });
      tools.append(undo);
    }
    edit.addEventListener("click", () => {
      edit.disabled = true;
      const quote = quotes.get(`${persona}|${tool}`);
      card.append(editForm(card, runId, () => version, quote, () => { edit.disabled = false; }));
    });
    card.append(tools);
  }
}

function editForm(card, runId, version, written, closed) {
  const { persona, tool, verdict, score } = card.dataset;
  const quote = written ?? card.querySelector("blockquote")?.textContent.trim() ?? "";
  const form = el("form", { class: "edit-form" });
  const field = (label, input) => el("label", {}, el("span", { text: label }), input);
  const verdictIn = el("select", { name: "verdict" }, el("option", { value: "ship", text: "ship" }), el("option", { value: "skip", text: "skip" }));
  verdictIn.value = verdict;
  const scoreIn = el("input", { name: "score", type: "number", min: "1", max: "10", value: score });
  const quoteIn = el("textarea", { name: "quote", rows: "3" });
  quoteIn.value = quote;
  const editorIn = el("input", { name: "editor", type: "text", required: "", value: localStorage.getItem("panel_editor") || "" });
  const reasonIn = el("input", { name: "reason", type: "text", required: "" });
  const error = el("p", { class: "error", role: "alert" });
  const cancel = el("button", { type: "button", class: "edit-cancel", text: "Cancel" });
  cancel.addEventListener("click", () => { form.remove(); closed(); });
  form.append(field("Verdict", verdictIn), field("Score", scoreIn), field("Quote", quoteIn),
    field("Editor", editorIn), field("Reason", reasonIn),
    el("div", { class: "actions" }, el("button", { type: "submit", text: "Save" }), cancel), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const change = { tool, persona, editor: editorIn.value.trim(), reason: reasonIn.value.trim(), version: version() };
    if (verdictIn.value !== verdict) change.verdict = verdictIn.value;
    if (scoreIn.value !== score) change.score = Number(scoreIn.value);
    if (quoteIn.value.trim() !== quote) change.quote = quoteIn.value.trim();
    try {
      localStorage.setItem("panel_editor", change.editor);
      await api("POST", `/api/runs/${runId}/overrides`, change, true);
      location.reload();
    } catch (failure) { error.textContent = failure.message; }
  });
  return form;
}

// ---- a new panel --------------------------------------------------------------------------

function newRunForm(form) {
  const errorLine = document.getElementById("run-error");
  const cancel = document.getElementById("cancel-run");
  let running = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.hidden = true;
    const pasted = form.elements.cards.value.split(/^\+\+\+\s*$/m).map((t) => t.trim()).filter(Boolean);
    const uploads = await Promise.all([...document.getElementById("cards-upload").files].map((f) => f.text()));
    const request = {
      cards: [...pasted, ...uploads],
      card_files: [...form.querySelectorAll('input[name="card_file"]:checked')].map((i) => i.value),
      model: form.elements.model.value.trim() || undefined,
    };
    const personas = [...form.querySelectorAll('input[name="persona"]:checked')].map((i) => i.value);
    if (personas.length) request.personas = personas;
    try {
      running = (await api("POST", "/api/runs", request, true)).id;
      cancel.hidden = false;
      follow(running, () => { cancel.hidden = true; });
    } catch (error) { errorLine.textContent = error.message; errorLine.hidden = false; }
  });
  cancel.addEventListener("click", async () => {
    if (running) await api("POST", `/api/runs/${running}/cancel`, {}, true).catch(() => {});
  });
}

function follow(runId, done) {
  const live = document.getElementById("live");
  const grid = document.getElementById("live-grid");
  const status = document.getElementById("live-status");
  live.hidden = false;
  let total = 0, finished = 0;
  const cell = (p, t) => grid.querySelector(`td[data-cell="${CSS.escape(p + "|" + t)}"]`);
  const show = (p, t, text, kind) => {
    const td = cell(p, t);
    if (!td) return;
    td.replaceChildren(el("span", { class: `badge ${kind}`, text }));
    td.dataset.state = kind;
  };
  const events = new EventSource(`${server}/api/runs/${runId}/events`);
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.event === "run_started") {
      total = event.cells;
      document.getElementById("live-title").textContent = event.title;
      const head = el("tr", {}, el("th", { text: "Reviewer" }), ...event.tools.map((t) => el("th", { scope: "col", text: t })));
      const rows = event.personas.map((p) => el("tr", {}, el("th", { scope: "row", text: p }),
        ...event.tools.map((t) => el("td", { "data-cell": p + "|" + t, "data-label": t }, el("span", { class: "badge none", text: "waiting" })))));
      grid.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
    } else if (event.event === "cell_started") {
      show(event.persona, event.tool, "asking", "none");
    } else if (event.event === "partial_verdict") {
      show(event.persona, event.tool, `${event.verdict || "…"} ${event.score ?? ""}`.trim(), "none");
    } else if (event.event === "cell_finished") {
      finished += 1;
      show(event.persona, event.tool, `${event.verdict} ${event.score}/10`, event.verdict === "ship" ? "ship" : "skip");
    } else if (event.event === "cell_failed") {
      finished += 1;
      show(event.persona, event.tool, event.status, "none");
    }
    status.textContent = `${finished} of ${total} cells`;
    if (event.event === "run_finished") {
      events.close();
      status.replaceChildren(`${event.cells_ok} of ${event.cells} cells. `, el("a", { href: `/runs/${event.run_id}/`, id: "live-link", text: "Open the run" }));
      done();
    } else if (event.event === "run_cancelled" || event.event === "run_failed") {
      events.close();
      status.textContent = event.event === "run_cancelled" ? "Cancelled." : `Failed: ${event.error}`;
      done();
    }
  };
}

// ---- start --------------------------------------------------------------------------------

takeTokenFromAddress();
loadStyles();
editorBar();
if (body.dataset.run) {
  votes(body.dataset.run);
  editControls(body.dataset.run).catch((error) => console.error(error));
}
const form = document.getElementById("new-run");
if (form) {
  newRunForm(form);
  const watched = new URLSearchParams(location.search).get("watch");
  if (watched && /^[A-Za-z0-9_-]{1,64}$/.test(watched)) follow(watched, () => {});
}
