/**
 * The search without a worker (tests in Node, browsers without module workers): the same core
 * call the worker makes, on the page's cached merge.
 */
import type { LayerEntry } from "../../core/pipeline/types";
import { parseSearch, runSearch, type SearchForm, type SearchOutcome } from "../../core/search";
import { mergedAt } from "../merged/model";

export function runSearchInPlace(layers: readonly (readonly LayerEntry[])[], form: SearchForm, budgetMs: number): SearchOutcome {
  const query = parseSearch(form);
  if (!query.ok) throw new Error(query.error.map((e) => e.message).join("; "));
  return runSearch({ layers, merged: mergedAt(layers, Math.max(0, layers.length - 1)) }, query.value, { budgetMs });
}
