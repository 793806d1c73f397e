/** One layer: fetch → verify digest → decompress → verify diff_id → index (issue 3). */
export { isTrusted, type EntryType, type LayerEntry, type LayerIndex, type LayerProgress, type LayerStage, type LayerTotals, type WhiteoutKind } from "./types";
export { LayerFailure, LAYER_NETWORK_RETRIES, isLayerFailure, isAbort, isTransientLayerError, type LayerJob, type LayerLimits } from "./job";
export { runBlobStage, compressionErrorToLayerError, reportedCompression, type BlobOutcome, type BlobStageOptions, type ChunkSink } from "./blob";
export { createTarStage, type TarStage } from "./tar";
export { runBlobWithFallback, runLayer, readableChunks, type BlobOpener, type BlobSink, type BlobRunOptions, type LayerRunOptions, type LayerRunProgress } from "./layer";
export { CreditGate, ChunkBatcher, transferables, DEFAULT_BATCH_BYTES, DEFAULT_CREDITS } from "./credits";
