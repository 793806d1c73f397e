/**
 * The image for the pictures spec (e2e/pictures.spec.ts): `e2e/pictures:v1`, four layers built
 * in code, with the facts the chart and the treemap must show computed here from the entries
 * (not by the app's code):
 *
 * 0. a base: `usr/lib/libbig.so` (400 000 incompressible bytes: the biggest file), `app/data.txt`
 *    (50 000 bytes, overwritten by layer 1), `etc/config` (2 000 bytes, whited out by layer 3), and
 *    under `usr/share/doc` a README (20 000 bytes) beside 300 tiny files (gathered into one
 *    "300 small files" tile at the treemap's top level);
 * 1. `app/data.txt` again (12 000 bytes) and `app/main.js` (80 000 bytes);
 * 2. an empty layer (a tar with only its end marker);
 * 3. the whiteout of `etc/config`, and `var/log/app.log` (5 000 bytes).
 *
 * So layer 0 wastes 52 000 bytes (its data.txt and config), the others nothing; and the
 * compressed sizes span four orders of magnitude (the log-scale toggle shows).
 */
import { buildImage, makeTar, pushImage, type BuiltImage, type PushTarget, type TarEntry } from "./fixtures";
import { noiseBytes as noise } from "../../src/core/testing/noise";


const text = (line: string, n: number): string => line.repeat(Math.ceil(n / line.length)).slice(0, n);

const SIZES = { readme: 20_000, libbig: 400_000, dataV1: 50_000, config: 2_000, dataV2: 12_000, main: 80_000, log: 5_000 } as const;
const DOCS = 300;

const base: TarEntry[] = [
  { type: "dir", path: "etc" },
  { type: "file", path: "etc/config", content: text("key=value\n", SIZES.config) },
  { type: "dir", path: "usr" },
  { type: "dir", path: "usr/lib" },
  { type: "file", path: "usr/lib/libbig.so", content: noise(SIZES.libbig, 0x5eed) },
  { type: "dir", path: "usr/share" },
  { type: "dir", path: "usr/share/doc" },
  { type: "file", path: "usr/share/doc/README", content: text("read me\n", SIZES.readme) },
  ...Array.from({ length: DOCS }, (_, i): TarEntry => ({ type: "file", path: `usr/share/doc/note-${String(i).padStart(3, "0")}.txt`, content: text(`note ${i} `, 20 + (i % 60)) })),
  { type: "dir", path: "app" },
  { type: "file", path: "app/data.txt", content: text("version one of the data\n", SIZES.dataV1) },
];
const app: TarEntry[] = [
  { type: "file", path: "app/data.txt", content: text("version two\n", SIZES.dataV2) },
  { type: "file", path: "app/main.js", content: text("console.log('layerscope pictures');\n", SIZES.main) },
];
const empty: TarEntry[] = [];
const cleanup: TarEntry[] = [
  { type: "file", path: "etc/.wh.config", content: "" },
  { type: "dir", path: "var" },
  { type: "dir", path: "var/log" },
  { type: "file", path: "var/log/app.log", content: text("started\n", SIZES.log) },
];

const LAYERS = [base, app, empty, cleanup] as const;

export interface PicturesFacts {
  /** Uncompressed tar sizes, base first. */
  readonly uncompressed: number[];
  /** Bytes of files each layer wrote that are not in the final filesystem, base first. */
  readonly wasted: number[];
  /** Bytes of file bodies each layer carries. */
  readonly fileBytes: number[];
  readonly biggest: { readonly path: string; readonly layer: number; readonly size: number };
  /** A directory to zoom into, and a file inside it. */
  readonly zoom: { readonly dir: string; readonly file: string; readonly layer: number };
  /** The directory holding the tiny files, and how many. */
  readonly small: { readonly dir: string; readonly count: number };
}

export function picturesImage(): { image: BuiltImage; facts: PicturesFacts } {
  const image = buildImage({
    flavour: "oci",
    architecture: "amd64",
    layers: LAYERS,
    history: [
      { created_by: "ADD rootfs.tar / # pictures base" },
      { created_by: "COPY app /app" },
      { created_by: "RUN true # an empty layer" },
      { created_by: "RUN rm /etc/config && start > /var/log/app.log" },
    ],
  });
  const bodies = (entries: readonly TarEntry[]): number =>
    entries.reduce((s, e) => s + (e.type === "file" ? (typeof e.content === "string" ? new TextEncoder().encode(e.content).length : e.content.length) : 0), 0);
  return {
    image,
    facts: {
      uncompressed: LAYERS.map((entries) => makeTar(entries).length),
      wasted: [SIZES.dataV1 + SIZES.config, 0, 0, 0],
      fileBytes: LAYERS.map(bodies),
      biggest: { path: "usr/lib/libbig.so", layer: 0, size: SIZES.libbig },
      zoom: { dir: "app", file: "app/main.js", layer: 1 },
      small: { dir: "usr/share/doc", count: DOCS },
    },
  };
}

/** What the pictures spec reads from the state file. */
export interface PicturesState extends PicturesFacts {
  readonly repository: string;
  readonly tag: string;
  readonly manifestDigest: string;
  /** Compressed blob sizes (the manifest's descriptors), base first. */
  readonly compressed: number[];
  readonly createdBy: string[];
}

/** Builds `e2e/pictures:v1`, pushes it to `target` and returns its facts for the state file. */
export async function pushPictures(target: PushTarget): Promise<PicturesState> {
  const { image, facts } = picturesImage();
  await pushImage(target, "e2e/pictures", "v1", image);
  return {
    ...facts,
    repository: "e2e/pictures",
    tag: "v1",
    manifestDigest: image.manifest.digest,
    compressed: image.layers.map((l) => l.size),
    createdBy: image.history.map((h) => h.created_by),
  };
}
