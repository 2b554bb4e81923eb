// A variant for paired runs of bench:actions (BENCH_VARIANT): cards expanded by the templating
// library's own expand() instead of their compiled form (cards/compiledTemplate.ts).
import { expandTemplatesBy } from "../../cards/render";

expandTemplatesBy("library");
