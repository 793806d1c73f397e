/** Digests: parsing per the image-spec grammar, hashing with WebCrypto, verification, incremental hashing of streams. */
export {
  parseDigest,
  isVerifiableAlgorithm,
  sha256Hex,
  digestBytes,
  verifyBytes,
  type Digest,
  type DigestAlgorithm,
  type Verification,
} from "./digest";
export {
  createHasher,
  createBlobVerifier,
  describeSizeError,
  isSizeError,
  type IncrementalHasher,
  type BlobVerifier,
  type SizeError,
} from "./incremental";
