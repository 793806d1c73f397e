/** Reading files out of one layer by their indexed offsets, and what their bytes are (issue 5, point 1). */
export { createEntryExtractor, type BodySink, type EntryExtractor, type ExtractedBody, type ExtractorOptions, type ExtractTarget } from "./extractor";
export { extractEntries, streamLayerTar, type ExtractOutcome, type ExtractRunOptions, type LayerTarOutcome, type TarSink } from "./run";
export { decodeText, guessText, isActiveContentName, sniffImage, SNIFF_BYTES, type ImageMime, type TextEncodingName, type TextGuess } from "./content";
export { readTrust, type ReadTrust } from "./trust";
