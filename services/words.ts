// Counts in plain English for cards: "1 family", "2 families", never "1 families" or "2 action(s)".

/** `n` and the noun in the number that fits it (the plural defaults to noun + "s"). */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
