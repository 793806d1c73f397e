/** Local image archives (docker save, OCI layout, kaniko), read by random access and typed. */
export {
  indexMembers,
  resolveMember,
  readMember,
  DEFAULT_READ_BYTES,
  DEFAULT_MAX_MEMBERS,
  MAX_LINK_HOPS,
  MAX_JSON_MEMBER_BYTES,
  type ArchiveSource,
  type ArchiveMember,
  type MemberIndex,
  type ReadAt,
  type ResolvedMember,
  type IndexOptions,
} from "./members";
export {
  openArchive,
  openLayout,
  memberFiles,
  parseManifestJson,
  digestFromName,
  type ArchiveBlob,
  type ArchiveFormat,
  type ArchiveImage,
  type LayoutFiles,
  type OpenedArchive,
} from "./open";
