// Fixed lists a card offers, declared as one map (a value can then appear only once), in the order
// written: choices (the value stored, the title people read) and questions (the answer's id, the
// question's label).

export interface Choice<V extends string> {
  value: V;
  title: string;
}

export interface Question<I extends string> {
  id: I;
  label: string;
}

/** `{ value: title }` as the list of choices a card's choice set shows. */
export function choices<const V extends string>(titles: Record<V, string>): readonly Choice<V>[] {
  return (Object.entries(titles) as [V, string][]).map(([value, title]) => ({ value, title }));
}

/** `{ id: label }` as the list of questions a form asks. */
export function questions<const I extends string>(labels: Record<I, string>): readonly Question<I>[] {
  return (Object.entries(labels) as [I, string][]).map(([id, label]) => ({ id, label }));
}
