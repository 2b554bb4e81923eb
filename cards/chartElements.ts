// Teams renders chart elements (Chart.Donut, Chart.VerticalBar, …) that the official Adaptive Cards
// parser does not know: it reports 'Unknown element type "Chart.Donut". Fallback will be used if
// present.' even when a fallback is given (a fallback object, "drop", or wrapping in a Container
// all still warn). So the validator teaches the parser these elements, the way a host
// that renders them does, and checks what Teams needs: the documented data shape and a `fallback`
// (a TextBlock/FactSet/Container…) that itself parses without warnings, so clients without charts
// (and the card's plain-text readers) still get every number.
// Teams' schema: https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/charts-in-adaptive-cards
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as typeof import("adaptivecards");

type Json = Record<string, unknown>;
const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** Data checks per chart type: returns a problem or undefined. */
const checks: Record<string, (data: unknown[]) => string | undefined> = {
  "Chart.Donut": (d) => (d.every((p) => isObj(p) && isNum(p.value)) ? undefined : "each data point needs a numeric value"),
  "Chart.Pie": (d) => (d.every((p) => isObj(p) && isNum(p.value)) ? undefined : "each data point needs a numeric value"),
  "Chart.VerticalBar": (d) =>
    d.every((p) => isObj(p) && p.x !== undefined && isNum(p.y)) ? undefined : "each data point needs x and a numeric y",
  "Chart.HorizontalBar": (d) =>
    d.every((p) => isObj(p) && p.x !== undefined && isNum(p.y)) ? undefined : "each data point needs x and a numeric y",
  "Chart.HorizontalBar.Stacked": (d) => (d.every((p) => isObj(p) && Array.isArray(p.data)) ? undefined : "each bar needs a data array"),
  "Chart.VerticalBar.Grouped": (d) =>
    d.every((p) => isObj(p) && Array.isArray(p.values)) ? undefined : "each series needs a values array",
  "Chart.Line": (d) =>
    d.every((p) => isObj(p) && Array.isArray(p.values) && (p.values as unknown[]).every((v) => isObj(v) && v.x !== undefined && isNum(v.y)))
      ? undefined
      : "each series needs values of {x, y}",
};

function chartClass(typeName: string) {
  return class TeamsChart extends AC.CardElement {
    override getJsonTypeName(): string {
      return typeName;
    }
    protected override internalParse(source: Json, context: import("adaptivecards").SerializationContext): void {
      super.internalParse(source, context);
      const problem = (msg: string) => context.logParseEvent(this, AC.ValidationEvent.InvalidPropertyValue, `${typeName}: ${msg}`);
      if (source.type !== "Chart.Gauge") {
        if (!Array.isArray(source.data)) problem("data must be an array");
        else {
          const p = checks[typeName]?.(source.data);
          if (p) problem(p);
        }
      } else if (!isNum(source.value)) problem("value must be a number");
      if (!isObj(source.fallback)) problem("give a fallback element (TextBlock, FactSet, Container) for clients without charts");
      // The fallback is what non-chart clients render: it must parse cleanly too.
      else context.parseElement(undefined, source.fallback, [], false);
    }
    protected override internalRender(): undefined {
      return undefined;
    }
  };
}

export const TEAMS_CHART_TYPES = [...Object.keys(checks), "Chart.Gauge"];

for (const t of TEAMS_CHART_TYPES) {
  if (!AC.GlobalRegistry.elements.findByName(t)) AC.GlobalRegistry.elements.register(t, chartClass(t), AC.Versions.v1_5);
}
