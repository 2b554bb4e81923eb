// Two panels of the Home tab's dashboard that say what they are built from: supervision compliance
// (sessions due in the month, by team) and the Health Check (mean answers, one chart per section and
// scale; the latest Health Check closed by the end of the month in view, and where a later one is). Each says plainly when there is nothing to draw, rather than showing an empty chart.
"use strict";
window.AssurePanels = ({ el }) => {
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

  function supervision(s, monthLabel, chartIn) {
    if (!s.recorded) return el("p", { class: "muted" }, "No supervision records yet for these teams.");
    if (!s.teams.length) return el("p", { class: "muted" }, `No supervision sessions were due in ${monthLabel} for these teams.`);
    const due = s.teams.reduce((n, t) => n + t.due, 0);
    const held = s.teams.reduce((n, t) => n + t.held, 0);
    return [
      el("p", {}, `${held} of ${plural(due, "session", "sessions")} due in ${monthLabel} held (${Math.round((100 * held) / due)}%).`),
      chartIn({
        title: "Supervision sessions due this month, by team: held, overdue and still to come",
        labelHeading: "Team",
        labels: s.teams.map((t) => t.name),
        horizontal: true,
        stacked: true,
        datasets: [
          { label: "Held", data: s.teams.map((t) => t.held) },
          { label: "Overdue", data: s.teams.map((t) => t.overdue) },
          { label: "Still to come", data: s.teams.map((t) => t.upcoming) },
          { label: "Held %", data: s.teams.map((t) => t.compliance), unit: "%", tableOnly: true },
        ],
        summary: s.teams.map((t) => `${t.name}: ${t.held} of ${t.due} held, ${t.overdue} overdue`).join("; "),
      }),
    ];
  }

  /** Says which Health Check the panel shows: the latest closed by the end of the month in view. */
  function healthCheck(hc, later, monthLabel, chartIn) {
    const laterNote = later
      ? el(
          "p",
          { class: "muted" },
          `The most recent, ${later.title}, closed later, on ${later.closedOn}: choose ${later.monthLabel} to see it.`,
        )
      : [];
    if (!hc) return [el("p", { class: "muted" }, `No Social Work Health Check had closed by the end of ${monthLabel}.`), laterNote].flat();
    const which = el(
      "p",
      { class: "muted" },
      `The latest Health Check closed by the end of ${hc.asOf}: ${hc.title}, closed on ${hc.closedOn}.`,
    );
    if (hc.responses === null)
      return [
        which,
        el("p", {}, `${hc.title}: not shown for this view — too few people answered to keep their answers anonymous.`),
        laterNote,
      ].flat();
    const hiddenNote = hc.suppressedQuestions
      ? ` ${plural(hc.suppressedQuestions, "question", "questions")} with too few answers not shown.`
      : "";
    if (!hc.sections.length)
      return [
        which,
        el("p", {}, `${hc.title}: ${plural(hc.responses, "response", "responses")}, but no scored question has enough answers to show.`),
        laterNote,
      ].flat();
    return [
      which,
      laterNote,
      el("p", {}, `${hc.title}: ${plural(hc.responses, "response", "responses")}.${hiddenNote}`),
      ...hc.sections.map((s) => [
        el("h3", {}, `${s.title} (mean, ${s.scaleMax === 5 ? "1 strongly disagree – 5 strongly agree" : `0–${s.scaleMax}`})`),
        chartIn({
          title: `${s.title}: mean answer by question`,
          labelHeading: "Question",
          labels: s.questions.map((q) => q.short),
          fullLabels: s.questions.map((q) => q.text),
          horizontal: true,
          // A 1–5 agreement starts at 1 (strongly disagree), a 0–10 scale at 0.
          min: s.scaleMax === 5 ? 1 : 0,
          max: s.scaleMax,
          datasets: [
            { label: "Mean", data: s.questions.map((q) => q.mean) },
            { label: "People who answered", data: s.questions.map((q) => q.n), tableOnly: true },
          ],
          summary: s.questions.map((q) => `${q.short}: ${q.mean}`).join("; "),
        }),
      ]),
    ].flat();
  }

  return { supervision, healthCheck };
};
