// The Home tab: "What waits on me" and, for managers, heads of service and the QA team, the
// dashboard. In Teams it signs in with the Teams SSO token; outside Teams, only on a development
// server, it offers the same "act as" choice as the local chat page. All text from the service is
// set as text (never markup).
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const inTeams = window.self !== window.top;
  const $ = (id) => document.getElementById(id);
  const status = (text) => {
    $("status").textContent = text;
    $("status").hidden = !text;
  };
  let authHeaders = async () => ({});
  let me = null;
  const state = { view: params.get("view") === "dashboard" ? "dashboard" : "waiting", filters: { team: params.get("team") || "" } };

  function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
    return e;
  }

  function setTheme(theme) {
    const t = ["dark", "contrast"].includes(theme) ? theme : "default";
    document.documentElement.dataset.theme = t;
    window.AssureCharts.applyTheme();
  }

  async function api(path) {
    const res = await fetch(path, { headers: await authHeaders() });
    if (res.status === 401) throw new Error("Assure could not sign you in. Close and reopen the tab; if it persists, ask the QA team.");
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || "Assure is not available just now.");
    return body;
  }

  // ------------------------------------------------------------------ sign-in

  async function signInTeams() {
    const teams = window.microsoftTeams;
    await teams.app.initialize();
    const context = await teams.app.getContext();
    setTheme(context.app && context.app.theme);
    teams.app.registerOnThemeChangeHandler((t) => {
      setTheme(t);
      rerender();
    });
    authHeaders = async () => ({ Authorization: `Bearer ${await teams.authentication.getAuthToken()}` });
    document.body.addEventListener("click", (e) => {
      const a = e.target.closest && e.target.closest("a[data-deeplink]");
      if (!a) return;
      e.preventDefault();
      teams.app.openLink(a.href);
    });
    if (context.app && context.app.host && context.app.host.clientType === "web") document.body.dataset.client = "web";
  }

  async function signInOutside() {
    setTheme(params.get("theme"));
    const mode = await fetch("/tab/api/mode").then((r) => r.json());
    if (!mode.devActAs) throw new Error("Open Assure's Home tab from Microsoft Teams.");
    const staff = await fetch("/dev/staff").then((r) => r.json());
    const select = $("actas-select");
    for (const s of staff)
      select.append(el("option", { value: s.aadObjectId }, `${s.name} — ${s.jobTitle || "staff"}${s.teamId ? ` (${s.teamId})` : ""}`));
    const wanted = params.get("as") || localStorage.getItem("assure.actAs");
    if (wanted && staff.some((s) => s.aadObjectId === wanted)) select.value = wanted;
    $("actas").hidden = false;
    authHeaders = async () => ({ "x-assure-act-as": select.value });
    select.addEventListener("change", async () => {
      localStorage.setItem("assure.actAs", select.value);
      await start();
    });
  }

  // ------------------------------------------------------------------ views

  function showView(view, focus) {
    state.view = view === "dashboard" && me && me.dashboard ? "dashboard" : "waiting";
    for (const [tab, panel] of [
      ["tab-waiting", "waiting"],
      ["tab-dashboard", "dashboard"],
    ]) {
      const on = panel === state.view;
      $(tab).setAttribute("aria-selected", String(on));
      $(tab).tabIndex = on ? 0 : -1;
      $(panel).hidden = !on;
    }
    if (focus) $(state.view === "dashboard" ? "tab-dashboard" : "tab-waiting").focus();
    return state.view === "dashboard" ? loadDashboard() : loadWaiting();
  }

  function setupTabs() {
    const tabs = [$("tab-waiting"), $("tab-dashboard")];
    tabs.forEach((t) => t.addEventListener("click", () => showView(t.id === "tab-dashboard" ? "dashboard" : "waiting")));
    $("views").addEventListener("keydown", (e) => {
      if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key) || !me.dashboard) return;
      e.preventDefault();
      showView(state.view === "waiting" ? "dashboard" : "waiting", true);
    });
    $("filters").addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData($("filters"));
      state.filters = { month: data.get("month") || "", theme: data.get("theme") || "", team: data.get("team") || "" };
      loadDashboard();
    });
  }

  const KIND_LABELS = {
    allocation: "Allocations to accept",
    audit: "Audits to carry out",
    selfAssessment: "Self-assessments",
    action: "Actions",
    followUp: "Follow-ups",
    moderation: "Moderations",
    approval: "Approvals",
    escalation: "Escalations",
    survey: "Surveys",
    supervision: "Supervision",
  };

  async function loadWaiting() {
    status("Loading what waits on you…");
    const w = await api("/tab/api/waiting");
    const panel = $("waiting");
    panel.replaceChildren(
      el(
        "h2",
        {},
        w.items.length ? `${w.items.length} ${w.items.length === 1 ? "thing waits" : "things wait"} on you` : "Nothing waits on you",
      ),
      el(
        "ul",
        { class: "counts", "aria-label": "By kind" },
        Object.entries(w.counts).map(([k, n]) => el("li", {}, `${KIND_LABELS[k] || k}: ${n}`)),
      ),
      el(
        "ul",
        { class: "items", id: "waiting-items" },
        w.items.map((i) =>
          el(
            "li",
            { class: `item${i.overdue ? " overdue" : ""}`, "data-kind": i.kind },
            el("h3", {}, i.title, i.overdue ? el("span", { class: "badge" }, "overdue") : null),
            el("p", {}, i.detail),
            el(
              "p",
              { class: "muted" },
              i.dueText ? `Due ${i.dueText}` : "No deadline",
              " · ",
              el("a", { href: i.link, target: "_top", "data-deeplink": inTeams ? "1" : null }, "Open in chat"),
            ),
          ),
        ),
      ),
    );
    status("");
  }

  // The dashboard view (tab/dashboard.js), given what it shares with this page.
  const dashboard = window.AssureDashboard({ el, api, status, state, $ });
  const loadDashboard = () => dashboard.load();
  const rerender = () => dashboard.rerender();

  // ------------------------------------------------------------------ start

  async function start() {
    try {
      me = await api("/tab/api/me");
      $("who").textContent = me.dashboard ? `${me.name} · ${me.scope}` : me.name;
      $("views").hidden = !me.dashboard;
      await showView(state.view);
    } catch (e) {
      status(e.message);
    }
  }

  (async () => {
    setupTabs();
    try {
      if (inTeams) await signInTeams();
      else await signInOutside();
    } catch (e) {
      status(e instanceof Error ? e.message : "Open Assure's Home tab from Microsoft Teams.");
      return;
    }
    await start();
  })();
})();
