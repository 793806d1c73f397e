/**
 * 教学视图的简体中文版。与 en.ts 同一类型：少一个键、参数不对都无法编译。
 * 术语沿用社区通行译法：镜像、清单、索引、层、摘要、配置、镜像 ID；
 * digest、diff_id、chain ID、empty_layer 等规范字段名保留原文，便于对照规范与英文资料。
 */
import type { Messages } from "./en";

export const zh: Messages = {
  title: "这个镜像是怎样构成的",
  intro: (reference: string, platform: string) =>
    `下面的每一项都由本页实际获取的 \`${reference}\`（${platform}）计算得出：它的清单、配置、边下载边校验的各层，以及为此发出的请求。`,
  language: "语言",

  // ── 清单摘要与镜像 ID ──
  idsTitle: "清单摘要与镜像 ID",
  manifestDigest: "清单摘要",
  imageId: "镜像 ID（配置摘要）",
  indexDigest: "索引摘要",
  shortForm: "短格式：",
  manifestDigestIs: (digest: string) =>
    `镜像仓库用 ${digest} 指代这个镜像，它是清单原始字节的 sha256。\`docker pull repo@${digest}\` 拿到的永远是这些字节。`,
  imageIdIs: (short: string) =>
    `镜像 ID 是配置 blob 的 sha256。经典的 Docker 引擎用它来标识拉取下来的镜像：\`docker images\` 显示它的前 12 位十六进制，即 \`${short}\`。`,
  whyTwoIds: (manifestShort: string, imageShort: string) =>
    `两者哈希的是不同的文档。清单（${manifestShort}）列出配置和压缩后的层 blob，所以重新压缩各层、或把 Docker 媒体类型转换成 OCI 类型，都会得到新的清单摘要。配置（${imageShort}）列出的是未压缩的 diff_id 和构建历史，只要文件和设置不变，镜像 ID 就不变。`,
  byTag: (tag: string, digest: string) =>
    `你打开的是标签 \`${tag}\`。标签随时可以被指向别的内容；此刻镜像仓库把它解析为 ${digest}。想下次拿到完全相同的字节，就固定使用这个摘要。`,
  byDigest: (digest: string) =>
    `你是按摘要打开的镜像：在读取任何内容之前，字节已对照 ${digest} 校验过，而这个摘要所指的内容永远不会改变。`,
  viaIndex: (indexDigest: string, platform: string, manifestDigest: string) =>
    `这个引用指向一个索引（按平台列出多个清单的列表），摘要为 ${indexDigest}。和 \`docker pull\` 一样，Layerscope 选择了 ${platform} 的条目 ${manifestDigest}。\`docker images --digests\`（RepoDigests）显示的是名字解析到的索引摘要，而不是这个清单的摘要。`,
  singleManifest: (digest: string) => `这个引用直接指向一个镜像清单，中间没有索引：RepoDigests 会记录 ${digest}。`,
  containerdStore: (short: string) =>
    `如果 Docker 使用较新的 containerd 镜像存储，镜像改由名字解析到的那份文档来标识，\`docker images\` 在那里显示的是 \`${short}\`。`,

  // ── 层摘要与 diff_id ──
  layersTitle: "层摘要与 diff_id",
  layersIntro: (layers: number) =>
    `清单用摘要来指代这 ${layers} 层中的每一层：摘要是在网络上传输的压缩 blob 的 sha256。配置则用 diff_id 指代同一层：diff_id 是解压后落到磁盘上的 tar 的 sha256。下载时两者都会边读边校验。`,
  layersNone: "这个镜像没有层，没有可对比的内容。",
  layersProgress: (verifiedBoth: number, layers: number) =>
    verifiedBoth === layers ? `全部 ${layers} 层的两个摘要都已校验通过。` : `目前 ${layers} 层中已有 ${verifiedBoth} 层的两个摘要都校验通过。`,
  layersMismatch: (n: number) =>
    `有 ${n} 层的哈希与镜像声明的不符：镜像仓库返回的字节并不是镜像所指的内容。Docker 会拒绝这样的拉取。`,
  uncompressedLayer: (n: number) => `第 ${n} 层是未压缩的 tar，所以它的摘要和 diff_id 是同一批字节的同一个哈希。`,
  colLayer: "层",
  colDigest: "摘要（压缩后，见清单）",
  colDiffId: "diff_id（未压缩，见配置）",
  compressedSize: (size: string, compression: string) => `${size} ${compression}`,
  uncompressedSize: (size: string) => `${size} tar`,
  verdict: {
    pending: "等待中",
    verified: "已校验",
    mismatch: "不匹配",
    unverifiable: "无法校验",
    failed: "未校验（失败）",
    cancelled: "已取消",
  },
  noDiffId: "配置中没有",

  // ── chain ID ──
  chainTitle: "Chain ID（链 ID）",
  chainIntro:
    "diff_id 标识的是某一层自身的改动；chain ID 标识的是这一层连同它下面所有的层。同一个 tar 叠在不同的父层上会得到不同的文件系统，所以容器运行时按 chain ID 存放解包后的层：Docker 放在 `/var/lib/docker/image/overlay2/layerdb/sha256/<chain ID>/` 下，containerd 也以它作为快照（snapshot）的键。",
  chainFormula: 'ChainID(L₀) = DiffID(L₀)\nChainID(Lₙ) = sha256(ChainID(Lₙ₋₁) + " " + DiffID(Lₙ))',
  chainBase: "基础层：它的 chain ID 就是它的 diff_id",
  chainStep: (parentShort: string, diffShort: string) => `sha256("sha256:${parentShort}… sha256:${diffShort}…")`,
  chainTop: (short: string, layers: number) =>
    `最后一个 chain ID ${short} 代表全部 ${layers} 层叠起来的整体。另一个镜像只要开头几层的 diff_id 相同，开头的 chain ID 也就相同，同一台机器上这部分共享的基础层只需解包一次。`,
  chainComputing: "计算中……",
  chainNone: "配置里没有 diff_id，因此没有 chain ID。",

  // ── 构建历史 ──
  historyTitle: "配置中的构建历史与 rootfs 各层",
  historyCounts: (steps: number, empty: number, made: number, layers: number) =>
    `配置的 history 共有 ${steps} 步。${empty === 0 ? "其中没有一步" : `其中 ${empty} 步`}标记了 \`empty_layer\`：ENV、CMD、LABEL、EXPOSE 这类指令只修改配置，不产生层。其余 ${made} 步按顺序各产生一层，而清单里有 ${layers} 层${made === layers ? "，两者一一对应。" : "。"}`,
  historyMissing: (short: string) =>
    `\`docker history\` 按从新到旧的顺序列出这些行。它的 IMAGE 列只在最上面一行显示 \`${short}\`，其余各行都是 \`<missing>\`：在本地构建时，每一步都会留下一个中间镜像，但这些中间镜像从未被推送。拉取下来的镜像只有清单、配置和各层，所以前面那些步骤没有 ID 可显示。`,
  quirk: {
    "no-history": (layers: number) =>
      `这个配置完全没有 history，因此没有任何记录说明这 ${layers} 层分别是由哪条命令产生的。不经过 Dockerfile、直接拼装镜像的工具可能会留空；这时 \`docker history\` 只能显示各层本身。`,
    "layers-vs-diffids": (layers: number, diffIds: number) =>
      `清单列出了 ${layers} 层，而 rootfs.diff_ids 列出了 ${diffIds} 个。两者必须一一对应：Docker 会拒绝拉取这个镜像。`,
    "more-steps": (made: number, layers: number) =>
      `有 ${made} 步声称产生了层，但清单里只有 ${layers} 层。history 只是构建工具写下的记录，没有任何机制强制它与实际相符；多出的 ${made - layers} 步显示为没有对应的层。`,
    "more-layers": (made: number, layers: number) =>
      `清单里有 ${layers} 层，但 history 中只有 ${made} 步产生了层：最后 ${layers - made} 层多半是由不写 history 的工具追加的，显示为没有对应的步骤。`,
    squashed: (steps: number, made: number, merge: boolean) =>
      `所有内容都在同一层里，而 history 却有 ${steps} 步${made > 1 ? `，其中 ${made} 步声称产生了层` : ""}：这个镜像被压平（squash）过${merge ? "（history 的注释里记录了合并，`docker build --squash` 就会这样写）" : ""}。各步的改动被合并成了一层，因此无法与基于同一基础镜像构建的其他镜像共享层。`,
    "single-layer": "唯一的一层由唯一的一步产生：要么是 FROM scratch 后只有一个添加文件步骤的镜像，要么是被压平成一层并改写了 history 的镜像。",
    "no-layers": "这个镜像没有任何层：容器将从一个空的根文件系统启动。",
  },
  colStep: "#",
  colDockerImage: "IMAGE（docker history）",
  colCreatedBy: "CREATED BY（创建命令）",
  colMakes: "产生",
  emptyLayer: "不产生层（empty_layer）",
  makesLayer: (n: number) => `第 ${n} 层`,
  noStep: "没有对应的历史步骤",
  noLayer: "没有可对应的层",

  // ── 回放拉取过程 ──
  pullTitle: "回放一次拉取",
  pullIntro: (reference: string) =>
    `\`docker pull ${reference}\` 会依次执行下面这些步骤。每一步旁边列出的是本页为同一个镜像、经由 Layerscope 代理实际发出的请求。`,
  pullSample: "这是离线示例镜像：它的文件随应用一起打包，由页面内一个模拟镜像仓库接口的函数应答，因此不涉及代理、镜像仓库和令牌。",
  pullArchive:
    "这个镜像来自本地归档文件：页面内一个模拟镜像仓库接口的函数根据你打开的文件应答，各层由 worker 直接从你的磁盘读取文件片段，因此不涉及代理、镜像仓库和令牌。",
  colMethod: "方法",
  colPath: "路径",
  colStatus: "状态",
  colBytes: "字节",
  colTime: "耗时",
  step: {
    token: "令牌",
    manifest: "清单",
    config: "配置",
    blobs: "层 blob",
    digest: "摘要校验",
    decompress: "解压",
    diffid: "diff_id 校验",
  },
  tokenProxy:
    "镜像仓库对匿名请求会返回 401，并在 WWW-Authenticate 质询中指明令牌服务器；docker 随后向该服务器申请拉取令牌并重试。在这里，这次握手由代理在服务端自行完成，所以不会出现在页面的请求里。",
  tokenChallenge: (challenge: string) => `页面确实收到了一个质询，由代理以 X-Registry-Www-Authenticate 转交：${challenge}`,
  tokenNoChallenge: "页面没有收到任何质询：要么这个镜像仓库不需要令牌，要么代理已经拿到令牌并且请求都成功了。",
  manifestIndex: (platform: string) =>
    `按名字 GET 清单，Accept 头列出 docker 能理解的清单和索引类型。返回的是一个索引，于是 docker 选出 ${platform} 的条目，再按摘要 GET 那份清单。`,
  manifestSingle: (mediaType: string) => `按名字 GET 清单，Accept 头列出 docker 能理解的类型；返回的是一份镜像清单（${mediaType}）。`,
  configStep: (short: string) => `GET 清单所指的配置 blob，并检查它的 sha256 是否为 ${short}：这个摘要就是镜像 ID。`,
  blobsStep: (layers: number, total: string) =>
    `GET 全部 ${layers} 个层 blob（压缩后共 ${total}），每次并行几个：docker 默认同时下载 3 个，Layerscope 并行处理 2 层。`,
  blobsWorkers: "层 blob 是在 Web Worker 里下载的，本页看不到这些请求本身；这几行数据来自层处理流水线：worker 从代理收到的状态码、已接收字节数和耗时（耗时包括解压和建索引）。",
  digestStep: (verified: number, layers: number) => `每个 blob 边下载边计算哈希，并与清单中的摘要比对：${layers} 个中已有 ${verified} 个校验通过。`,
  decompressStep: (formats: string, total: string) => `把每个 blob 解压（${formats}）还原成 tar：目前共 ${total}。`,
  diffIdStep: (verified: number, layers: number) =>
    `把每个未压缩的 tar 完整读完并计算哈希，与 rootfs.diff_ids 比对：${layers} 个中已有 ${verified} 个校验通过。随后每一层被解包到各自的目录中，目录通过它的 chain ID 来查找。`,
  noRequests: "本标签页没有记录到这一步的请求（可能直接使用了页面缓存）。",
  fromCache: "未发请求：先前已校验，从本浏览器的缓存读取",
  inWorker: "worker",
  formatCount: (format: string, n: number) => `${format} ×${n}`,

  // ── overlay 挂载 ──
  overlayTitle: "overlay 挂载",
  overlayIntro: (layers: number, topShort: string, baseShort: string) =>
    layers === 1
      ? `运行容器时，运行时用 overlayfs 把解包后的各层叠起来。这个镜像只有一层（chain ID ${topShort}），所以 lowerdir 只有一个目录。`
      : `运行容器时，运行时用 overlayfs 把解包后的各层叠起来。lowerdir 按从上到下的顺序列出这 ${layers} 个只读层：两层中有相同路径时，排在左边的胜出，所以最后一层（chain ID ${topShort}）排在最前面，基础层（${baseShort}）排在最后。`,
  overlayDirs:
    "upperdir 接收容器写入的一切，workdir 是 overlayfs 在同一文件系统上的临时工作区，merged 就是容器看到的 /。某层中的 whiteout（`.wh.` 文件）会遮住下面各层中的对应路径。",
  overlayNames:
    "这里的目录以 chain ID 命名。Docker 的 overlay2 驱动用随机的 cache ID 给目录命名，这个 ID 记录在 `layerdb/sha256/<chain ID>/cache-id` 中；containerd 同样以 chain ID 作为快照的键。",
  overlayNone: "这个镜像没有层，没有什么可以挂载：overlayfs 至少需要一个下层目录。",
};
