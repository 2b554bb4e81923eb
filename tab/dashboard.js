// The Home tab's dashboard view: filters, the month at a glance, the charts (tab/charts.js) and
// the list of audits behind a figure. All text from the service is set as text (never markup).
"use strict";
window.AssureDashboard = ({ el, api, status, state, $ }) => {
  const { supervision, healthCheck } = window.AssurePanels({ el });
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
      // One team only: that team, there is no "All teams" to choose.
      f.team || (d.scope.teams.length === 1 ? d.scope.teams[0].id : ""),
      d.scope.teams.length > 1 ? "All teams" : undefined,
    );
    state.filters = { month: f.month, theme: f.theme, team: f.team };
    window.AssureCharts.destroyAll();
    const g = d.glance;
    const h = g.howMuch;
    const board = $("board");
    const section = (title, id, ...body) => el("section", { class: "panel", "aria-labelledby": id }, el("h2", { id }, title), ...body);
    // A chart with nothing to draw says so in words (its summary) rather than showing empty axes.
    const chartIn = (spec) => {
      if (!spec.labels.length) return el("p", { class: "muted" }, spec.summary);
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
        tile(g.targetApplies ? `Returned (target ${h.target})` : "Returned", h.returned, "returned"),
        tile("Returned late", h.late, "late"),
        tile("Not completed", h.notCompleted, "notCompleted"),
        tile("Moderated", h.moderated, "moderated"),
        tile("Good or better", pct(g.good)),
        tile("Children seen to benefit", pct(g.seenToBenefit)),
        tile(g.familyFeedback === null ? "Family feedback: too few to show" : "Family feedback", g.familyFeedback ?? "—"),
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
            summary: g.grades.map((x) => `${x.label} ${x.count}`).join(", ") || "No graded audits this month.",
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
            summary: d.byTheme.map((t) => `${t.theme}: ${t.good.text}`).join("; ") || "No audits this month.",
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
            summary: d.byTeam.map((t) => `${t.name}: ${t.good.text}`).join("; ") || "No audits this month.",
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
            labels: d.actions.overdueByTeam.map((r) => r.name),
            horizontal: true,
            datasets: [{ label: "Overdue", data: d.actions.overdueByTeam.map((r) => r.count) }],
            summary: d.actions.overdueByTeam.map((r) => `${r.name}: ${r.count}`).join("; ") || "No action is overdue.",
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
              "No open escalations.",
          }),
        ),
        section("Supervision compliance", "h-sup", supervision(d.supervision, f.monthLabel, chartIn)),
        Object.assign(section("Health Check", "h-hc", healthCheck(d.healthCheck, d.healthCheckLater, f.monthLabel, chartIn)), {
          className: "panel wide",
        }),
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
              el("td", {}, x.team),
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

  return { load: loadDashboard, rerender };
};
