/** A path's history across the layers (from the overlay merge's own answers) and a bounded line diff between two versions. */
export {
  isWrite,
  normalizeHistoryPath,
  pathHistory,
  relevantEntries,
  versionChanges,
  type FinalState,
  type HistoryEvent,
  type HistoryEventKind,
  type PathHistory,
  type VersionChange,
} from "./pathHistory";
export {
  BINARY_SNIFF_BYTES,
  DEFAULT_CONTEXT,
  DEFAULT_MAX_EDITS,
  DEFAULT_MAX_LINES,
  diffLines,
  looksBinary,
  sideBySide,
  splitLines,
  unifiedText,
  type DiffLine,
  type DiffLineKind,
  type DiffOptions,
  type Hunk,
  type LineDiff,
  type SideBySideRow,
  type SplitText,
} from "./lineDiff";
export { diffContents, type BinarySide, type ContentDiff, type VersionBytes } from "./contentDiff";
