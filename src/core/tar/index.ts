/** Streaming tar header parsing: ustar, PAX, GNU long names, base-256; bodies skipped. */
export { createTarParser, parseTar, type TarParser } from "./parser";
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_MAX_META_BYTES,
  DEFAULT_MAX_PATH_BYTES,
  asLayerscopeError,
  type TarEntry,
  type TarEntryType,
  type TarError,
  type TarErrorCode,
  type TarGlobalHeader,
  type TarLimit,
  type TarParserOptions,
  type TarSummary,
  type TarWarning,
} from "./types";
export { classifyWhiteout, decodeName, linkUnsafe, normalisePath, type UnsafeReason, type WhiteoutKind, type WhiteoutClass } from "./path";
export { BLOCK_SIZE } from "./format";
export { paxBody, tarChecksum, tarHeader, tarPaddingBytes, TAR_END_MARKER_BYTES, WRITE_TYPEFLAG, type TarWriteEntry, type TarWriteType } from "./writer";
