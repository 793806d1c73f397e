/** Exports of the merged filesystem, a layer's listing and a comparison, as JSON and CSV (streamed as string chunks). */
export { csvCell, csvRow, parseCsv, type CsvValue } from "./csv";
export { escapeRawPath, exportPath, octalMode, safeFileName, type PathEncoding, type RawPaths } from "./names";
export {
  COMPARE_CSV_HEADER,
  EXPORT_VERSION,
  LAYER_CSV_HEADER,
  MERGED_CSV_HEADER,
  compareCsv,
  compareJson,
  layerCsv,
  layerJson,
  mergedCsv,
  mergedJson,
  type CompareExportInput,
  type ExportImage,
  type LayerExportInput,
  type MergedExportInput,
} from "./formats";
