/** Layer changes, the overlay merge with provenance, and efficiency (dive's score and ours). */
export {
  buildLowerFilesystem,
  classifyEntries,
  classifyImpliedDirectory,
  whiteoutHidesSomething,
  whiteoutTargetOf,
  type ChangeEntry,
  type ChangeKind,
  type LowerFilesystem,
} from "./changes";
export type { DeletedPath, MergedEntry, MergedFilesystem, MergeWarning, PathVersion } from "./types";
export { IMPLIED_DIR_MODE, hardlinkTargetPath, mergeLayers, mergeSteps, type MergeInput } from "./merge";
export {
  HOW,
  NODE_DELETED,
  NODE_IMPLIED,
  NODE_PRESENT,
  NODE_UNDER_DELETED,
  columnsBuffers,
  entryTextStarts,
  filterColumns,
  hiddenAt,
  mergeColumns,
  mergeSourceOf,
  mergeColumnsSteps,
  nameOf,
  nodeOf,
  packedVersion,
  pathOf,
  prepareColumnsFilter,
  versionAt,
  type MergedColumns,
  type MergeSource,
  type NodeKind,
} from "./columns";
export {
  EFFICIENCY_CORRECTION_NOTE,
  computeEfficiency,
  type DiveFigures,
  type DiveInefficiency,
  type EfficiencyReport,
  type LayerEfficiency,
  type WastedFile,
} from "./efficiency";
