/**
 * The teaching view in English. Every message is a function of values computed from the image
 * on screen (or a fixed term). Text between `backticks` is rendered as code. zh.ts implements
 * the same type, so a key missing there does not compile.
 */

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export const en = {
  title: "How this image is built",
  intro: (reference: string, platform: string) =>
    `Everything below is computed from \`${reference}\` (${platform}) as this page fetched it: its manifest, its config, its layers as they stream in, and the requests made for them.`,
  language: "Language",

  // ── manifest digest vs image ID ──
  idsTitle: "Manifest digest and image ID",
  manifestDigest: "Manifest digest",
  imageId: "Image ID (config digest)",
  indexDigest: "Index digest",
  shortForm: "short form:",
  manifestDigestIs: (digest: string) =>
    `The registry names this image by ${digest}, the sha256 of the manifest's exact bytes. \`docker pull repo@${digest}\` always gets these bytes.`,
  imageIdIs: (short: string) =>
    `The image ID is the sha256 of the config blob. The classic Docker engine identifies a pulled image by it: \`docker images\` shows its first 12 hex digits, \`${short}\`.`,
  whyTwoIds: (manifestShort: string, imageShort: string) =>
    `They hash different documents. The manifest (${manifestShort}) lists the config and the compressed layer blobs, so recompressing the layers or converting Docker to OCI media types gives a new manifest digest. The config (${imageShort}) lists the uncompressed diff_ids and the history, so the image ID stays the same as long as the files and settings do.`,
  byTag: (tag: string, digest: string) =>
    `You opened the tag \`${tag}\`. A tag can be moved to other content at any time; right now the registry resolved it to ${digest}. Pin that digest to get the same bytes next time.`,
  byDigest: (digest: string) =>
    `You opened the image by digest: the bytes were checked against ${digest} before anything in them was read, and what that digest names can never change.`,
  viaIndex: (indexDigest: string, platform: string, manifestDigest: string) =>
    `The reference names an index (a list of per-platform manifests), ${indexDigest}. Like \`docker pull\`, Layerscope picked the ${platform} entry, ${manifestDigest}. \`docker images --digests\` (RepoDigests) shows the index digest, the one the name resolved to, not this manifest's.`,
  singleManifest: (digest: string) =>
    `The reference names one image manifest directly, no index: RepoDigests would record ${digest}.`,
  containerdStore: (short: string) =>
    `With Docker's newer containerd image store, images are identified by what the name resolved to instead, so \`docker images\` shows \`${short}\` there.`,

  // ── layer digest vs diff_id ──
  layersTitle: "Layer digest and diff_id",
  layersIntro: (layers: number) =>
    `The manifest names each of the ${plural(layers, "layer", "layers")} by its digest: the sha256 of the compressed blob that travels over the network. The config names the same layer by its diff_id: the sha256 of the uncompressed tar that lands on disk. Both are checked as the layers stream in.`,
  layersNone: "This image has no layers, so there is nothing to compare.",
  layersProgress: (verifiedBoth: number, layers: number) =>
    verifiedBoth === layers ? `All ${plural(layers, "layer", "layers")} verified both ways.` : `${verifiedBoth} of ${plural(layers, "layer", "layers")} verified both ways so far.`,
  layersMismatch: (n: number) =>
    `${plural(n, "layer does", "layers do")} not hash to what the image says: the registry served other bytes than the image names. Docker refuses such a pull.`,
  uncompressedLayer: (n: number) =>
    `Layer ${n} is an uncompressed tar, so its digest and its diff_id are the same hash of the same bytes.`,
  colLayer: "Layer",
  colDigest: "digest (compressed, manifest)",
  colDiffId: "diff_id (uncompressed, config)",
  compressedSize: (size: string, compression: string) => `${size} ${compression}`,
  uncompressedSize: (size: string) => `${size} tar`,
  verdict: {
    pending: "pending",
    verified: "verified",
    mismatch: "mismatch",
    unverifiable: "cannot verify",
    failed: "not checked (failed)",
    cancelled: "cancelled",
  },
  noDiffId: "none in the config",

  // ── chain IDs ──
  chainTitle: "Chain IDs",
  chainIntro:
    "A diff_id names one layer's changes; a chain ID names a layer together with every layer under it. The same tar applied on another parent makes another filesystem, so runtimes store unpacked layers by chain ID: Docker under `/var/lib/docker/image/overlay2/layerdb/sha256/<chain ID>/`, containerd as snapshots keyed by it.",
  chainFormula: 'ChainID(L₀) = DiffID(L₀)\nChainID(Lₙ) = sha256(ChainID(Lₙ₋₁) + " " + DiffID(Lₙ))',
  chainBase: "the base layer: its chain ID is its diff_id",
  chainStep: (parentShort: string, diffShort: string) => `sha256("sha256:${parentShort}… sha256:${diffShort}…")`,
  chainTop: (short: string, layers: number) =>
    `The last chain ID, ${short}, names the whole stack of ${plural(layers, "layer", "layers")}. Another image whose first layers have the same diff_ids gets the same first chain IDs, so a machine unpacks that shared base once.`,
  chainComputing: "Computing…",
  chainNone: "No diff_ids in the config, so there are no chain IDs.",

  // ── history ──
  historyTitle: "Config history and rootfs layers",
  historyCounts: (steps: number, empty: number, made: number, layers: number) =>
    `The config's history has ${plural(steps, "step", "steps")}. ${empty === 0 ? "None is" : `${empty} ${empty === 1 ? "is" : "are"}`} marked \`empty_layer\`: instructions like ENV, CMD, LABEL or EXPOSE change only the config, so they make no layer. The other ${made} made one layer each, in order, and the manifest has ${plural(layers, "layer", "layers")}${made === layers ? ": they line up." : "."}`,
  historyMissing: (short: string) =>
    `\`docker history\` prints these rows newest first. Its IMAGE column shows \`${short}\` on the top row only and \`<missing>\` on every other: a local build leaves an intermediate image behind each step, but those were never pushed. A pulled image is just a manifest, a config and layers, so there is no ID to show for the earlier steps.`,
  quirk: {
    "no-history": (layers: number) =>
      `This config has no history at all, so nothing records which command made which of its ${plural(layers, "layer", "layers")}. Tools that assemble images directly, without running a Dockerfile, may leave it empty; \`docker history\` then shows the layers alone.`,
    "layers-vs-diffids": (layers: number, diffIds: number) =>
      `The manifest lists ${plural(layers, "layer", "layers")} but rootfs.diff_ids lists ${diffIds}. They must match one to one: Docker refuses to pull this image.`,
    "more-steps": (made: number, layers: number) =>
      `${plural(made, "step says it", "steps say they")} made a layer, but the manifest has ${plural(layers, "layer", "layers")}. The history is only a record written by the builder and nothing enforces it; the extra ${made - layers === 1 ? "step is" : "steps are"} shown without a layer.`,
    "more-layers": (made: number, layers: number) =>
      `The manifest has ${plural(layers, "layer", "layers")} but only ${plural(made, "history step", "history steps")} made one: the last ${layers - made === 1 ? "layer was" : `${layers - made} layers were`} probably added by a tool that wrote no history, and ${layers - made === 1 ? "is" : "are"} shown without a step.`,
    squashed: (steps: number, made: number, merge: boolean) =>
      `Everything is in a single layer although the history has ${plural(steps, "step", "steps")}${made > 1 ? `, ${made} of which say they made a layer` : ""}: this image was squashed${merge ? " (a history comment names the merge, as `docker build --squash` writes)" : ""}. The steps' changes were merged into one layer, so nothing can be shared with other images built on the same base.`,
    "single-layer":
      "One step made the only layer: a FROM scratch image with a single step that adds files, or an image flattened into one layer with its history rewritten.",
    "no-layers": "The image has no layers: a container would start from an empty root filesystem.",
  },
  colStep: "#",
  colDockerImage: "IMAGE (docker history)",
  colCreatedBy: "CREATED BY",
  colMakes: "makes",
  emptyLayer: "no layer (empty_layer)",
  makesLayer: (n: number) => `layer ${n}`,
  noStep: "no history step",
  noLayer: "no layer left to pair with",

  // ── the pull ──
  pullTitle: "The pull, replayed",
  pullIntro: (reference: string) =>
    `\`docker pull ${reference}\` takes the steps below. Beside each are the requests this page made for the same image through the Layerscope proxy.`,
  pullSample:
    "This is the offline sample: its files are bundled with the app and answered by a registry-shaped function in the page, so no proxy, no registry and no token are involved.",
  pullArchive:
    "This image comes from a local archive: a registry-shaped function in the page answers from the file you opened, and the layer workers read its slices from your disk, so no proxy, no registry and no token are involved.",
  colMethod: "method",
  colPath: "path",
  colStatus: "status",
  colBytes: "bytes",
  colTime: "time",
  step: {
    token: "Token",
    manifest: "Manifest",
    config: "Config",
    blobs: "Layer blobs",
    digest: "Digest check",
    decompress: "Decompress",
    diffid: "diff_id check",
  },
  tokenProxy:
    "A registry answers an anonymous request with 401 and a WWW-Authenticate challenge naming its token server; docker asks that server for a pull token and retries. Here the proxy does this handshake itself, server-side, so it never appears among the page's requests.",
  tokenChallenge: (challenge: string) =>
    `The page did receive a challenge, passed on by the proxy as X-Registry-Www-Authenticate: ${challenge}`,
  tokenNoChallenge: "No challenge reached the page: either this registry needs no token, or the proxy got one and the requests succeeded.",
  manifestIndex: (platform: string) =>
    `GET the manifest by name, with an Accept header listing the manifest and index types docker understands. The answer is an index, so docker picks the ${platform} entry and GETs that manifest by its digest.`,
  manifestSingle: (mediaType: string) => `GET the manifest by name, with an Accept header listing the types docker understands; the answer is an image manifest (${mediaType}).`,
  configStep: (short: string) =>
    `GET the config blob the manifest names and check that its sha256 is ${short}: that digest is the image ID.`,
  blobsStep: (layers: number, total: string) =>
    `GET the ${plural(layers, "layer blob", "layer blobs")} (${total} compressed), a few at a time: docker downloads 3 at once by default, Layerscope runs 2 layers in parallel.`,
  blobsWorkers:
    "Layer blobs are fetched inside Web Workers, where this page cannot watch the requests; these rows come from the layer pipeline: the status the worker got from the proxy, the bytes received and the time taken (which includes decompressing and indexing).",
  digestStep: (verified: number, layers: number) =>
    `Hash every blob while it streams and compare with its digest from the manifest: ${verified} of ${layers} verified.`,
  decompressStep: (formats: string, total: string) => `Decompress each blob (${formats}) into its tar: ${total} so far.`,
  diffIdStep: (verified: number, layers: number) =>
    `Hash every uncompressed tar to its end and compare with rootfs.diff_ids: ${verified} of ${layers} verified. Then each layer is unpacked into its own directory, named through its chain ID.`,
  noRequests: "No request for this step was recorded in this tab (it may have been answered from this browser's cache of verified documents).",
  fromCache: "no request: verified earlier and read from this browser's cache",
  inWorker: "worker",
  formatCount: (format: string, n: number) => `${format} ×${n}`,

  // ── overlay ──
  overlayTitle: "The overlay mount",
  overlayIntro: (layers: number, topShort: string, baseShort: string) =>
    layers === 1
      ? `To run a container the runtime stacks the unpacked layers with overlayfs. This image has one layer (chain ID ${topShort}), so lowerdir names a single directory.`
      : `To run a container the runtime stacks the unpacked layers with overlayfs. lowerdir lists the ${layers} read-only layers from the TOP down: where two layers hold the same path the leftmost wins, so the last layer (chain ID ${topShort}) comes first and the base layer (${baseShort}) last.`,
  overlayDirs:
    "upperdir receives everything the container writes, workdir is overlayfs's scratch space on the same filesystem, and merged is what the container sees as /. A whiteout in a layer (a `.wh.` file) hides the path below it.",
  overlayNames:
    "The directories here are named by chain ID. Docker's overlay2 driver names them with a random cache ID that it finds in `layerdb/sha256/<chain ID>/cache-id`; containerd keys its snapshots by chain ID too.",
  overlayNone: "This image has no layers, so there is nothing to mount: overlayfs needs at least one lower directory.",
};

export type Messages = typeof en;
