/** Comparing two images: layers aligned by diff_id and chain ID, config changes, and a file-level diff. */
export {
  compareLayers,
  compareConfigs,
  type ImageInput,
  type LayerSide,
  type LayerRow,
  type LayerRowKind,
  type PullDecision,
  type SharedBase,
  type ConfigChange,
  type ImageLayers,
  type LayerComparison,
} from "./layers";
export {
  diffFilesystems,
  filterFileDiff,
  provenanceRule,
  commonPrefixLength,
  CHANGED_ATTRIBUTES,
  type FileDiff,
  type FileDiffRow,
  type FileDiffKind,
  type FileDiffCounts,
  type FileDiffOptions,
  type FileDiffFilter,
  type ChangedAttribute,
  type ContentVerdict,
} from "./files";
