/** Digests: parsing per the image-spec grammar, hashing with WebCrypto, verification. */
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
