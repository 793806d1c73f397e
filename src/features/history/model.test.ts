import { describe, expect, it } from "vitest";
import { buildTar, type TarEntry } from "../../core/testing/tar";
import { layerEntries } from "../../core/filetree/testdata/layers";
import { pathHistory, unifiedText } from "../../core/history";
import { err, ok } from "../../core/result";
import { defaultPair, eventDetail, eventTitle, hasContents, previousContent } from "./model";
import type { ReadVersion } from "./reader";
import { loadContentDiff } from "./useContentDiff";

const layersOf = (...tars: (readonly TarEntry[])[]) => tars.map((t) => layerEntries(buildTar(t)));
const enc = (s: string) => new TextEncoder().encode(s);

/** a: added, changed, whited out, re-added; the contents by layer. */
const contents: Record<number, string> = { 0: "port=80\n", 1: "port=8080\nworkers=4\n", 3: "port=9090\nworkers=4\n" };
const layers = layersOf(
  [{ path: "etc/a", content: contents[0] }],
  [{ path: "etc/a", content: contents[1], mode: 0o600 }],
  [{ path: "etc/.wh.a", content: "" }],
  [{ path: "etc/a", content: contents[3] }],
);
const history = pathHistory(layers, "etc/a");

/** A fake reader: the contents above, untrusted for layer 1, failing for others. */
const fakeRead: ReadVersion = (layer, path) => {
  const text = contents[layer];
  if (text === undefined || path !== "etc/a") return Promise.resolve(err({ kind: "file-unavailable", layer, path, why: "not-found", detail: "the layer has no entry at this path" }));
  const bytes = enc(text);
  return Promise.resolve(ok({ bytes, size: bytes.length, truncated: false, trusted: layer !== 1 }));
};

describe("history panel model", () => {
  it("words for each event", () => {
    expect(history.events.map(eventTitle)).toEqual(["added", "changed: size, mode", "whited out", "re-added"]);
    expect(eventDetail(history.events[2]!)).toBe('The whiteout "etc/.wh.a" hides this path in every lower layer.');
  });

  it("only written files have contents; the previous content version skips removals", () => {
    expect(history.events.map(hasContents)).toEqual([true, true, false, true]);
    expect(previousContent(history, 3)).toBe(1);
    expect(previousContent(history, 0)).toBeUndefined();
  });

  it("the default diff is the visible version against the one before it", () => {
    expect(defaultPair(history)).toEqual({ a: 1, b: 3 });
    expect(defaultPair(pathHistory(layers.slice(0, 1), "etc/a"))).toBeUndefined();
  });
});

describe("loadContentDiff (with an injected reader)", () => {
  it("diffs two versions read through the reader, and labels the untrusted side", async () => {
    const state = await loadContentDiff(fakeRead, { layer: 1, path: "etc/a" }, { layer: 3, path: "etc/a" });
    expect(state.status).toBe("done");
    if (state.status !== "done" || state.diff.kind !== "text") throw new Error("expected a text diff");
    expect(unifiedText(state.diff.diff)).toBe("@@ -1,2 +1,2 @@\n-port=8080\n+port=9090\n workers=4");
    expect(state.trusted).toEqual({ old: false, new: true });
  });

  it("a side that cannot be read is named, with the reader's reason", async () => {
    const state = await loadContentDiff(fakeRead, { layer: 2, path: "etc/a" }, { layer: 3, path: "etc/a" });
    expect(state).toMatchObject({ status: "failed", side: "old" });
    if (state.status === "failed") expect(state.message).toContain("no entry at this path");
  });
});
