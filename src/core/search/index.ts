/** Path search over an image: query parsing (substring, glob, regex, metadata filters), link resolution and ranked, bounded matching. */
export { parseSize } from "./size";
export { compileGlob, globToRegexSource } from "./glob";
export {
  EMPTY_FORM,
  ENTRY_KINDS,
  MAX_PATTERN_LENGTH,
  inIdSet,
  isEmptyForm,
  kindOf,
  nestedQuantifier,
  parseIdSet,
  parseSearch,
  type EntryKind,
  type IdSet,
  type LinkFilter,
  type MatchMode,
  type PathMatcher,
  type QueryError,
  type QueryField,
  type SearchForm,
  type SearchQuery,
  type SearchScope,
} from "./query";
export { MAX_SYMLINK_HOPS, resolveSymlink, type LinkLookup, type LinkNode, type LinkResolution } from "./links";
export {
  DEFAULT_BUDGET_MS,
  DEFAULT_HIT_LIMIT,
  MAX_PATTERN_PATH,
  countInScope,
  runSearch,
  type SearchData,
  type SearchHit,
  type SearchOptions,
  type SearchOutcome,
} from "./run";
