// A variant for paired runs of bench:actions (BENCH_VARIANT): every template expression is
// evaluated by adaptivecards-templating's own evaluation again, as before cards/expressions.ts
// compiled them (what cards/expressions.ts undoes).
import * as ACData from "adaptivecards-templating";
import { evaluateByLibrary } from "../../cards/expressions";

(ACData.Template as unknown as { internalTryEvaluateExpression: typeof evaluateByLibrary }).internalTryEvaluateExpression =
  evaluateByLibrary;
