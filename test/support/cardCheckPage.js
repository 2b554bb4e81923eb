// Runs in the browser page of test/support/officialRenderer.ts, after Microsoft's adaptivecards
// bundle: renders one card into #card with the Teams host config and returns what a reader would
// notice (see officialRenderer.ts for the list).
/* global window, document */
// Teams processes TextBlock markdown, so the backslash escapes of user text (cards/markdown.ts) do
// not show there; this page has no markdown library, so it shows text as plain text without them.
window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  const div = document.createElement("div");
  div.textContent = text.replace(/\\([!-/:-@[-`{-~])/g, "$1");
  result.outputHtml = div.innerHTML.replace(/\n/g, "<br>");
  result.didProcess = true;
};

window.checkCard = function checkCard(cardJson, rawWords) {
  const AC = window.AdaptiveCards;
  const problems = [];
  const ac = new AC.AdaptiveCard();
  ac.hostConfig = new AC.HostConfig(window.hostConfig);
  ac.parse(cardJson);
  const el = ac.render();
  const host = document.getElementById("card");
  host.replaceChildren(...(el ? [el] : []));
  if (!el) return { problems: ["the renderer produced nothing"], heightPx: 0 };

  // FactSet values a person sees blank.
  for (const row of el.querySelectorAll("tr")) {
    const title = row.querySelector(".ac-fact-title");
    const value = row.querySelector(".ac-fact-value");
    if (title && value && !value.innerText.trim()) problems.push(`FactSet "${title.innerText.trim()}" shows no value`);
  }

  // Every input shows the value it was sent with (those on a ShowCard as it opens).
  for (const a of ac.getAllActions()) if (a.card) a.card.render();
  const inputs = new Map(ac.getAllInputs(true).map((i) => [i.id, i]));
  const sorted = (v) =>
    String(v ?? "")
      .split(",")
      .sort()
      .join(",");
  const walk = (n) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    if (typeof n.type === "string" && n.type.startsWith("Input.") && typeof n.id === "string" && n.value !== undefined) {
      const shown = inputs.get(n.id)?.value;
      const same =
        n.type === "Input.ChoiceSet"
          ? sorted(shown) === sorted(n.value)
          : n.type === "Input.Toggle"
            ? String(shown) === String(n.value)
            : shown === n.value || (n.value === "" && (shown === undefined || shown === "" || Number.isNaN(shown)));
      if (!same) {
        const seen = typeof shown === "number" && Number.isNaN(shown) ? "" : (shown ?? "");
        problems.push(`input "${n.id}" (${n.type}) was sent ${JSON.stringify(n.value)} but shows ${JSON.stringify(seen)}`);
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== "data" && typeof v === "object") walk(v);
  };
  walk(cardJson);

  // Buttons the renderer's own validation blocks as sent (a blank required input is the person's to fill).
  const actions = [];
  const collect = (a) => {
    actions.push(a);
    if (a.card) a.card.getAllActions().forEach(collect);
  };
  ac.getAllActions().forEach(collect);
  for (const a of actions) {
    for (const input of a.validateInputs()) {
      if (input.isRequired && !input.isSet()) continue;
      problems.push(`button "${a.title ?? ""}" is blocked by input "${input.id}" as sent (blank or outside its min/max)`);
    }
  }
  // Validation draws its error messages into the card: render it again as it was sent, for the
  // checks below and for the screenshot.
  const shown = ac.render();
  host.replaceChildren(shown);

  // Button titles cut short ("My a…"): the renderer gives each button an equal share of the row.
  for (const button of shown.querySelectorAll("button")) {
    const title = button.querySelector("div");
    if (title && title.scrollWidth > title.clientWidth + 1) problems.push(`button "${title.innerText}" is cut short`);
    if (button.getBoundingClientRect().right > host.getBoundingClientRect().right + 1)
      problems.push(`button "${button.innerText}" does not fit on the card`);
  }

  // Text a person should never read.
  const text = host.innerText;
  const bad = [
    [/\bNaN\b/, "NaN"],
    [/\bundefined\b/, "undefined"],
    [/\bnull\b/, "null"],
    [/\[object Object\]/, "[object Object]"],
    [/\$\{[A-Za-z_][\w.]*\}/, "a template expression"],
    // An error card's "Reference: <request id>" is there to be quoted to the QA team.
    [/(?<!Reference: )\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, "a raw id"],
    ...rawWords.map((w) => [new RegExp(`(^|[^\\w-])${w}($|[^\\w-])`), `the raw name ${w}`]),
  ];
  for (const [re, what] of bad) {
    const m = re.exec(text);
    if (m) problems.push(`shows ${what}: "…${text.slice(Math.max(0, m.index - 30), m.index + m[0].length + 30).replace(/\s+/g, " ")}…"`);
  }
  return { problems: [...new Set(problems)], heightPx: Math.round(host.getBoundingClientRect().height) };
};
