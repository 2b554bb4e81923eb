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
    const staff = await fetch("/tab/api/dev/staff").then((r) => r.json());
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

  // ------------------------------------------------------------------ dashboard

  function options(select, values, selected, allLabel) {
    select.replaceChildren(
      ...(allLabel !== undefined ? [el("option", { value: "" }, allLabel)] : []),
      ...values.map(([v, l]) => el("option", { value: v }, l)),
    );
    select.value = selected || "";
  }

  function tile(label, value, figure) {
    const inner = [el("span", { class: "n" }, value), el("span", { class: "l" }, label)];
    return figure
      ? el(
          "button",
          {
            type: "button",
            class: "tile panel",
            "data-figure": figure,
            "aria-label": `${label}: ${value}. Show the audits`,
            onclick: () => drill(figure, label),
          },
          inner,
        )
      : el("div", { class: "tile panel" }, inner);
  }

  let last = null;
  function rerender() {
    if (last && state.view === "dashboard") renderDashboard(last);
  }

  async function loadDashboard() {
    status("Loading the dashboard…");
    const q = new URLSearchParams(Object.entries(state.filters).filter(([, v]) => v));
    last = await api(`/tab/api/dashboard?${q}`);
    renderDashboard(last);
    status("");
  }

  function renderDashboard(d) {
    const f = d.filters;
    options(
      $("f-month"),
      d.scope.months.map((m) => [m, m]),
      f.month,
    );
    options(
      $("f-theme"),
      d.scope.themes.map((t) => [t, t]),
      f.theme,
      "All themes",
    );
    options(
      $("f-team"),
      d.scope.teams.map((t) => [t.id, t.name]),
      f.team,
      d.scope.teams.length > 1 ? "All teams" : undefined,
    );
    state.filters = { month: f.month, theme: f.theme, team: f.team };
    window.AssureCharts.destroyAll();
    const g = d.glance;
    const h = g.howMuch;
    const board = $("board");
    const section = (title, id, ...body) => el("section", { class: "panel", "aria-labelledby": id }, el("h2", { id }, title), ...body);
    const chartIn = (spec) => {
      const box = el("div");
      window.AssureCharts.chart(box, { onDrill: drill, ...spec });
      return box;
    };
    const pct = (s) => (s.pct === null ? "—" : `${s.pct}%`);
    board.replaceChildren(
      el("h2", { id: "glance-title" }, `${f.monthLabel} at a glance — ${d.scope.label}${f.theme ? ` · ${f.theme}` : ""}`),
      el(
        "div",
        { class: "tiles", role: "group", "aria-labelledby": "glance-title" },
        tile("Allocated", h.allocated, "allocated"),
        tile(`Returned (target ${h.target})`, h.returned, "returned"),
        tile("Returned late", h.late, "late"),
        tile("Not completed", h.notCompleted, "notCompleted"),
        tile("Moderated", h.moderated, "moderated"),
        tile("Good or better", pct(g.good)),
        tile("Children seen to benefit", pct(g.seenToBenefit)),
        tile("Family feedback", g.familyFeedback === null ? "not shown" : g.familyFeedback),
        tile("Actions overdue", d.actions.overdue),
      ),
      el(
        "div",
        { class: "grid" },
        section(
          "How well: grades",
          "h-grades",
          chartIn({
            title: "Grades this month",
            labelHeading: "Grade",
            labels: g.grades.map((x) => x.label),
            datasets: [{ label: "Audits", data: g.grades.map((x) => x.count) }],
            summary: g.grades.map((x) => `${x.label} ${x.count}`).join(", ") || "No graded audits",
            drill: (i) => `band:${g.grades[i].bandId}`,
          }),
        ),
        section(
          "Twelve months",
          "h-trend",
          chartIn({
            title: "Audits returned and share good or better, month by month",
            labelHeading: "Month",
            labels: d.trend.map((t) => t.month),
            datasets: [
              { label: "Returned", data: d.trend.map((t) => t.returned) },
              { label: "Good or better %", data: d.trend.map((t) => t.goodPct), type: "line", axis: "y2", unit: "%" },
            ],
            summary: d.trend.map((t) => `${t.month}: ${t.returned} returned, ${t.goodPct ?? "no"}% good`).join("; "),
          }),
        ),
        section(
          "Good or better by theme",
          "h-theme",
          chartIn({
            title: "Share good or better by theme",
            labelHeading: "Theme",
            labels: d.byTheme.map((t) => t.theme),
            datasets: [
              { label: "Good or better %", data: d.byTheme.map((t) => t.good.pct), unit: "%" },
              { label: "Returned", data: d.byTheme.map((t) => t.returned), tableOnly: true },
            ],
            max: 100,
            summary: d.byTheme.map((t) => `${t.theme}: ${t.good.text}`).join("; ") || "No themes",
            drill: (i) => `theme:${d.byTheme[i].theme === "(no theme)" ? "" : d.byTheme[i].theme}`,
          }),
        ),
        section(
          "Good or better by team",
          "h-team",
          chartIn({
            title: "Share good or better by team",
            labelHeading: "Team",
            labels: d.byTeam.map((t) => t.name),
            horizontal: true,
            max: 100,
            datasets: [
              { label: "Good or better %", data: d.byTeam.map((t) => t.good.pct), unit: "%" },
              { label: "Returned", data: d.byTeam.map((t) => t.returned), tableOnly: true },
            ],
            summary: d.byTeam.map((t) => `${t.name}: ${t.good.text}`).join("; ") || "No teams",
            drill: (i) => `team:${d.byTeam[i].teamId}`,
          }),
        ),
        section(
          "Moderation movements",
          "h-mod",
          el(
            "p",
            {},
            el(
              "button",
              { type: "button", class: "drill-link", onclick: () => drill("movedUp", "Moderated up") },
              `${d.movements.filter((m) => m.direction === "up").reduce((s, m) => s + m.count, 0)} moved up`,
            ),
            " · ",
            el(
              "button",
              { type: "button", class: "drill-link", onclick: () => drill("movedDown", "Moderated down") },
              `${d.movements.filter((m) => m.direction === "down").reduce((s, m) => s + m.count, 0)} moved down`,
            ),
          ),
          el(
            "ul",
            {},
            d.movements.map((m) => el("li", {}, `${m.from} → ${m.to}: ${m.count}`)),
          ),
        ),
        section(
          "Actions overdue",
          "h-actions",
          el("p", {}, `${d.actions.overdue} of ${d.actions.open} open actions are overdue (${d.actions.immediateOverdue} immediate).`),
          chartIn({
            title: "Overdue actions by team",
            labelHeading: "Team",
            labels: d.actions.overdueByTeam.map((r) => r.teamId),
            datasets: [{ label: "Overdue", data: d.actions.overdueByTeam.map((r) => r.count) }],
            summary: d.actions.overdueByTeam.map((r) => `${r.teamId}: ${r.count}`).join("; ") || "None overdue",
          }),
        ),
        section(
          "Escalations by stage",
          "h-esc",
          chartIn({
            title: "Open escalations by stage",
            labelHeading: "Stage",
            labels: d.escalations.map((e) => `Stage ${e.stage}`),
            datasets: [
              { label: "Open", data: d.escalations.map((e) => e.open) },
              { label: "Past deadline", data: d.escalations.map((e) => e.pastDeadline) },
            ],
            summary:
              d.escalations.map((e) => `Stage ${e.stage}: ${e.open} open, ${e.pastDeadline} past deadline`).join("; ") ||
              "No open escalations",
          }),
        ),
        section(
          "Supervision compliance",
          "h-sup",
          chartIn({
            title: "Supervision sessions held of those due this month, by team",
            labelHeading: "Team",
            labels: d.supervision.map((s) => s.teamId),
            horizontal: true,
            max: 100,
            datasets: [
              { label: "Held %", data: d.supervision.map((s) => s.compliance), unit: "%" },
              { label: "Overdue", data: d.supervision.map((s) => s.overdue), tableOnly: true },
            ],
            summary: d.supervision.map((s) => `${s.teamId}: ${s.held} of ${s.due} held`).join("; ") || "No sessions due",
          }),
        ),
        section(
          "Health Check",
          "h-hc",
          !d.healthCheck
            ? el("p", {}, "No Social Work Health Check has closed yet.")
            : d.healthCheck.responses === null
              ? el("p", {}, `${d.healthCheck.title}: not shown for this view — too few people answered to keep their answers anonymous.`)
              : [
                  el(
                    "p",
                    {},
                    `${d.healthCheck.title}: ${d.healthCheck.responses} responses.${d.healthCheck.suppressedQuestions ? ` ${d.healthCheck.suppressedQuestions === 1 ? "1 question" : `${d.healthCheck.suppressedQuestions} questions`} with too few answers not shown.` : ""}`,
                  ),
                  chartIn({
                    title: "Health Check: mean answer by question",
                    labelHeading: "Question",
                    labels: d.healthCheck.questions.map((q) => q.text),
                    horizontal: true,
                    datasets: [{ label: "Mean", data: d.healthCheck.questions.map((q) => q.mean) }],
                    summary: d.healthCheck.questions.map((q) => `${q.text}: ${q.mean}`).join("; "),
                  }),
                ],
        ),
      ),
    );
  }

  async function drill(figure, label) {
    const panel = $("drill");
    const q = new URLSearchParams(Object.entries({ ...state.filters, figure }).filter(([, v]) => v !== ""));
    if (figure.endsWith(":")) q.set("figure", figure);
    status(`Loading the audits behind “${label}”…`);
    const r = await api(`/tab/api/drill?${q}`).catch((e) => ({ error: e.message }));
    if (r.error) return status(r.error);
    panel.replaceChildren(
      el("h2", { id: "drill-title", tabindex: "-1" }, `${r.title}: ${r.total} ${r.total === 1 ? "audit" : "audits"}`),
      el("p", { class: "muted" }, `${state.filters.month}${state.filters.theme ? ` · ${state.filters.theme}` : ""}. Case references only.`),
      el(
        "table",
        { id: "drill-table" },
        el("thead", {}, el("tr", {}, el("th", {}, "Case"), el("th", {}, "Team"), el("th", {}, "Status"), el("th", {}, "Grade"))),
        el(
          "tbody",
          {},
          r.rows.map((x) =>
            el(
              "tr",
              {},
              el("td", {}, x.caseRef),
              el("td", {}, x.teamId),
              el("td", {}, x.status),
              el("td", {}, `${x.grade}${x.moderated ? " (moderated)" : ""}`),
            ),
          ),
        ),
      ),
      ...(r.total > r.rows.length ? [el("p", { class: "muted" }, `The first ${r.rows.length} are shown.`)] : []),
      el(
        "button",
        {
          type: "button",
          onclick: () => {
            panel.hidden = true;
            $("glance-title").scrollIntoView();
          },
        },
        "Close the list",
      ),
    );
    panel.hidden = false;
    status("");
    $("drill-title").focus();
  }

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
