// A small implementation of Shopify's search syntax for the `query` argument of list fields:
//   free text            matches any searchable text field (substring, case-insensitive)
//   field:value          filter on a field; `value*` is a prefix match; quotes allow spaces
//   -field:value / NOT   negation
//   a OR b               alternatives (AND binds tighter, implicit between terms)
// Unknown fields are ignored with a warning, as Shopify does (extensions.search warnings).
import { notEmulated } from "./errors";

export interface SearchTerm {
  field: string | null;
  value: string;
  negated: boolean;
}

/** Disjunction of conjunctions: [[a AND b] OR [c]]. */
export type ParsedSearch = SearchTerm[][];

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  const pattern = /(-?[A-Za-z_.]+:)?"([^"]*)"|\S+/g;
  for (const match of query.matchAll(pattern)) tokens.push(match[0]);
  return tokens;
}

export function parseSearch(query: string): ParsedSearch {
  const groups: ParsedSearch = [[]];
  let negateNext = false;
  for (const token of tokenize(query.trim())) {
    if (token === "AND") continue;
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    let text = token;
    let negated = negateNext;
    negateNext = false;
    if (text.startsWith("-") && text.length > 1) {
      negated = !negated;
      text = text.slice(1);
    }
    const colon = /^([A-Za-z_.]+):(.*)$/.exec(text);
    const field = colon ? colon[1].toLowerCase() : null;
    let value = colon ? colon[2] : text;
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    groups[groups.length - 1].push({ field, value, negated });
  }
  return groups.filter((group) => group.length > 0);
}

export interface SearchFieldSpec<T> {
  /** Texts free-text terms are matched against. */
  text: (item: T) => Array<string | null>;
  /** Filterable fields: return the values of the field for an item. */
  fields: Record<string, (item: T) => Array<string | null>>;
  /** Documented fields the emulator does not implement (e.g. range comparators): fail loudly. */
  unsupported?: readonly string[];
  /** Name of the list field, for error messages. */
  fieldName?: string;
}

function valueMatches(candidate: string | null, pattern: string): boolean {
  if (candidate === null) return false;
  const value = candidate.toLowerCase();
  const wanted = pattern.toLowerCase();
  if (wanted === "*") return true;
  if (wanted.endsWith("*")) return value.startsWith(wanted.slice(0, -1));
  return value === wanted;
}

/** Filters `items`; unknown fields are reported through `warn` and ignored. */
export function applySearch<T>(
  items: readonly T[],
  query: string | null | undefined,
  spec: SearchFieldSpec<T>,
  warn: (field: string, message: string) => void,
): T[] {
  if (!query || !query.trim()) return [...items];
  const parsed = parseSearch(query);
  const known = new Set(Object.keys(spec.fields));
  for (const group of parsed) {
    for (const term of group) {
      if (term.field !== null && spec.unsupported?.includes(term.field)) {
        throw notEmulated(`Searching ${spec.fieldName ?? "this list"} by "${term.field}:"`);
      }
      if (term.field !== null && !known.has(term.field)) warn(term.field, "Invalid search field for this query.");
    }
  }
  const termMatches = (item: T, term: SearchTerm): boolean => {
    if (term.field === null) {
      const needle = term.value.toLowerCase().replace(/\*$/, "");
      return spec.text(item).some((text) => text !== null && text.toLowerCase().includes(needle));
    }
    return spec.fields[term.field](item).some((candidate) => valueMatches(candidate, term.value));
  };
  const satisfied = (item: T, term: SearchTerm): boolean => {
    if (term.field !== null && !known.has(term.field)) return true; // ignored, see the warning
    return termMatches(item, term) !== term.negated;
  };
  return items.filter((item) => parsed.some((group) => group.every((term) => satisfied(item, term))));
}
