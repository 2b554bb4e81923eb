// Charts for the Home tab, drawn by Chart.js: every chart is an image with a text summary
// (aria-label) and the same figures in a table under it, whose labels are buttons where the figure
// can be followed to its audits (keyboard and screen-reader users get everything the chart shows).
"use strict";
window.AssureCharts = (() => {
  const charts = [];
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const palette = () =>
    css("--series")
      .split(",")
      .map((s) => s.trim());

  function applyTheme() {
    Chart.defaults.color = css("--fg");
    Chart.defaults.borderColor = css("--border");
    Chart.defaults.font.family = '"Segoe UI", system-ui, sans-serif';
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    for (const c of charts) {
      for (const s of Object.values(c.options.scales || {})) {
        s.ticks = { ...(s.ticks || {}), color: css("--fg") };
        s.grid = { ...(s.grid || {}), color: css("--border") };
      }
      c.data.datasets.forEach((d, i) => colour(d, i));
      c.update();
    }
  }

  function colour(d, i) {
    const p = palette();
    const hc = document.documentElement.dataset.theme === "contrast";
    const main = hc ? (i === 0 ? css("--accent") : css("--good")) : p[i % p.length];
    d.backgroundColor = main;
    d.borderColor = d.type === "line" ? main : hc ? css("--fg") : main;
    d.borderWidth = hc ? 2 : d.type === "line" ? 2 : 0;
    // A line over bars is drawn on top of them (lower order is drawn last).
    if (d.type === "line") Object.assign(d, { pointRadius: 4, order: 0 });
    else d.order = 1;
  }

  /**
   * A long category name on a horizontal chart's axis: at most three lines of `width` characters
   * (Chart.js gives the axis about a third of the chart and clips what is wider).
   */
  function wrap(label, width) {
    const lines = [""];
    for (const w of String(label).split(" ")) {
      const line = lines[lines.length - 1];
      if (line && line.length + w.length >= width) lines.push(w);
      else lines[lines.length - 1] = line ? `${line} ${w}` : w;
    }
    const shown = lines.slice(0, 3).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    if (lines.length > 3) shown[2] = `${shown[2].slice(0, width - 1)}…`;
    return shown;
  }

  function destroyAll() {
    while (charts.length) charts.pop().destroy();
  }

  /**
   * A chart with its table. spec: { title, labels, fullLabels? (the table's, when labels are
   * shortened), datasets: [{label, data, type?, unit?, tableOnly?}], horizontal?, stacked?, max?,
   * summary, min?, drill?: (index) => figure | null, onDrill(figure, label) }.
   */
  function chart(parent, spec) {
    const box = document.createElement("div");
    box.className = "chart";
    // A horizontal chart grows with its categories, so every label keeps its two lines.
    if (spec.horizontal && spec.labels.length > 5) box.style.height = `${spec.labels.length * 42 + 40}px`;
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${spec.title}. ${spec.summary}`);
    canvas.textContent = spec.summary;
    box.append(canvas);
    parent.append(box);
    // Datasets marked tableOnly (counts beside percentages) are in the table, not on the chart's axis.
    const datasets = spec.datasets
      .filter((d) => !d.tableOnly)
      .map((d, i) => {
        const ds = { label: d.label, data: d.data, type: d.type, yAxisID: d.axis || (spec.horizontal ? undefined : "y") };
        if (d.type === "line") ds.xAxisID = undefined;
        colour(ds, i);
        return ds;
      });
    const valueAxis = spec.horizontal ? "x" : "y";
    const scales = {
      [valueAxis]: {
        beginAtZero: spec.min === undefined,
        stacked: spec.stacked,
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max ? { max: spec.max } : {}),
        ticks: { precision: 0 },
      },
    };
    // Long category names (teams, questions) wrapped on the axis; the table has them whole.
    if (spec.horizontal)
      scales.y = {
        stacked: spec.stacked,
        ticks: {
          autoSkip: false,
          callback(v) {
            return wrap(spec.labels[v], Math.max(12, Math.floor(this.chart.width / 22)));
          },
        },
      };
    else if (spec.stacked) scales.x = { stacked: true };
    if (spec.datasets.some((d) => d.axis === "y2"))
      scales.y2 = { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false } };
    const c = new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        scales,
        plugins: { legend: { display: datasets.length > 1 } },
        onClick: (_e, els) => {
          if (!spec.drill || !els.length) return;
          const figure = spec.drill(els[0].index);
          if (figure) spec.onDrill(figure, spec.labels[els[0].index]);
        },
        onHover: (e, els) => {
          e.native.target.style.cursor = spec.drill && els.length && spec.drill(els[0].index) ? "pointer" : "default";
        },
      },
    });
    charts.push(c);
    parent.append(table(spec));
    return c;
  }

  function table(spec) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "The figures as a table";
    details.append(summary);
    const t = document.createElement("table");
    const head = t.createTHead().insertRow();
    const th0 = document.createElement("th");
    th0.textContent = spec.labelHeading || "";
    head.append(th0);
    for (const d of spec.datasets) {
      const th = document.createElement("th");
      th.className = "num";
      th.textContent = d.label;
      head.append(th);
    }
    const body = t.createTBody();
    (spec.fullLabels || spec.labels).forEach((label, i) => {
      const row = body.insertRow();
      const cell = row.insertCell();
      const figure = spec.drill ? spec.drill(i) : null;
      if (figure) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "drill-link";
        b.textContent = label;
        b.addEventListener("click", () => spec.onDrill(figure, label));
        cell.append(b);
      } else cell.textContent = label;
      for (const d of spec.datasets) {
        const td = row.insertCell();
        td.className = "num";
        const v = d.data[i];
        td.textContent = v === null || v === undefined ? "—" : `${v}${d.unit || ""}`;
      }
    });
    details.append(t);
    return details;
  }

  return { chart, applyTheme, destroyAll };
})();
