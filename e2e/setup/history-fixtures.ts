/**
 * One image for the path-history spec (e2e/history.spec.ts, issue 5 point 3), built with the
 * core's test builders (src/core/testing): `etc/app.conf` is
 *   layer 1: added (0644 root:root)          "name=app / port=80 / mode=prod"
 *   layer 2: changed (0640 app:app 1000:1000) port 80 → 8080, a "workers=4" line added
 *   layer 3: whited out by etc/.wh.app.conf (and srv/.wh.data removes srv/data/x.txt with its parent)
 *   layer 4: re-added (0644 root:root)       port 8080 → 9090: the visible version
 */
import { buildImage } from "../../src/core/testing/image";
import type { TarEntry } from "../../src/core/testing/tar";
import type { BuiltImage } from "./fixtures";

const root = { uid: 0, gid: 0, uname: "root", gname: "root" } as const;
const app = { uid: 1000, gid: 1000, uname: "app", gname: "app" } as const;

export const HISTORY_PATH = "etc/app.conf";
export const HISTORY_PARENT_WHITED_OUT = "srv/data/x.txt";

/** The versions' contents, by layer (0-based), as the spec asserts them. */
export const HISTORY_CONTENTS = {
  0: "name=app\nport=80\nmode=prod\n",
  1: "name=app\nport=8080\nmode=prod\nworkers=4\n",
  3: "name=app\nport=9090\nmode=prod\nworkers=4\n",
} as const;

export const HISTORY_CREATED_BY = ["ADD base.tar /", "RUN configure --port 8080", "RUN rm /etc/app.conf && rm -r /srv/data", "COPY app.conf /etc/app.conf"] as const;

const layers: TarEntry[][] = [
  [
    { path: "etc/", type: "dir", ...root },
    { path: HISTORY_PATH, content: HISTORY_CONTENTS[0], mode: 0o644, ...root },
    { path: "srv/", type: "dir", ...root },
    { path: "srv/data/", type: "dir", ...root },
    { path: HISTORY_PARENT_WHITED_OUT, content: "x\n", ...root },
  ],
  [{ path: HISTORY_PATH, content: HISTORY_CONTENTS[1], mode: 0o640, ...app }],
  [
    { path: "etc/.wh.app.conf", content: "", ...root },
    { path: "srv/.wh.data", content: "", ...root },
  ],
  [{ path: HISTORY_PATH, content: HISTORY_CONTENTS[3], mode: 0o644, ...root }],
];

/** The image, in the shape the e2e pusher takes. */
export async function historyImage(): Promise<BuiltImage> {
  const built = await buildImage({ layers: layers.map((entries) => ({ entries })), history: HISTORY_CREATED_BY.map((created_by) => ({ created_by })) });
  return { ...built, history: HISTORY_CREATED_BY.map((created_by) => ({ created_by })) };
}
