import { describe, expect, it } from "vitest";
import type { LayerJobState } from "../../lib/layers/types";
import { diffIdVerdict, digestVerdict, layerChanges, trust } from "./model";
import { fakeEntry, fakeResult, fakeState } from "./testing";
import { buildFileTree } from "./tree";

describe("verdicts and trust", () => {
  const ok = fakeResult(0, [fakeEntry("a")]);
  const cases: { name: string; state: LayerJobState; digest: string; diffId: string; trust: string }[] = [
    { name: "queued", state: fakeState(0), digest: "pending", diffId: "pending", trust: "unknown" },
    { name: "done and verified", state: fakeState(0, { result: ok }), digest: "verified", diffId: "verified", trust: "trusted" },
    {
      name: "blob mismatch in the result",
      state: fakeState(0, { result: { ...ok, digestVerdict: { status: "mismatch", expected: "sha256:a", actual: "sha256:b" } } }),
      digest: "mismatch",
      diffId: "verified",
      trust: "untrusted",
    },
    {
      name: "diff_id mismatch as an error, no result",
      state: fakeState(0, { progress: { ...fakeState(0).progress, stage: "failed" }, error: { kind: "digest-mismatch", what: "diff_id", expected: "sha256:a", actual: "sha256:b" } }),
      digest: "unverifiable",
      diffId: "mismatch",
      trust: "untrusted",
    },
    {
      name: "partial after a corrupt tar",
      state: fakeState(0, { result: { ...ok, partial: true, error: { kind: "corrupt-tar", reason: "bad checksum", offset: 1024 } } }),
      digest: "verified",
      diffId: "verified",
      trust: "untrusted",
    },
    {
      name: "cancelled",
      state: fakeState(0, { progress: { ...fakeState(0).progress, stage: "cancelled" }, error: { kind: "aborted" } }),
      digest: "pending",
      diffId: "pending",
      trust: "unknown",
    },
    {
      name: "unreachable registry",
      state: fakeState(0, { progress: { ...fakeState(0).progress, stage: "failed" }, error: { kind: "unreachable", registry: "r", detail: "reset" } }),
      digest: "unverifiable",
      diffId: "unverifiable",
      trust: "unknown",
    },
    { name: "no diff_id in the config", state: fakeState(0, { diffId: undefined }), digest: "pending", diffId: "unverifiable", trust: "unknown" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(digestVerdict(c.state).status).toBe(c.digest);
      expect(diffIdVerdict(c.state).status).toBe(c.diffId);
      expect(trust(c.state)).toBe(c.trust);
    });
  }
});

describe("layerChanges", () => {
  it("classifies entries, implied directories and opaque directories against the lower layers", () => {
    const base = fakeResult(0, [fakeEntry("etc", { type: "dir" }), fakeEntry("etc/passwd"), fakeEntry("var/cache/x")]);
    const top = fakeResult(1, [
      fakeEntry("etc/passwd"),
      fakeEntry("etc/new"),
      fakeEntry("var/cache/.wh..wh..opq", { whiteout: "opaque", whiteoutTarget: "var/cache" }),
      fakeEntry("etc/.wh.gone", { whiteout: "whiteout", whiteoutTarget: "etc/gone" }),
      fakeEntry("opt/app/bin"),
    ]);
    const tree = buildFileTree(top.entries);
    const changes = layerChanges(tree, top, [base]);
    const of = (key: string) => {
      const n = tree.nodes.find((x) => x.key === key);
      if (!n) throw new Error(key);
      return changes.changeOf(n);
    };
    expect(of("etc")).toBe("modified");
    expect(of("etc/passwd")).toBe("modified");
    expect(of("etc/new")).toBe("added");
    expect(of("etc/.wh.gone")).toBe("deleted");
    expect(of("var")).toBe("modified");
    expect(of("var/cache")).toBe("opaque");
    expect(of("opt")).toBe("added");
    expect(changes.counts).toEqual({ added: 2, modified: 1, deleted: 1, opaque: 1 });
    expect(changes.providerOf("etc/passwd")).toBe(0);
    expect(changes.incompleteBelow).toEqual([]);
  });

  it("reports lower layers that are not indexed yet and maps providers to real layer indexes", () => {
    const l0 = fakeResult(0, [fakeEntry("a")]);
    const l2 = fakeResult(2, [fakeEntry("b")]);
    const top = fakeResult(3, [fakeEntry("b")]);
    const changes = layerChanges(buildFileTree(top.entries), top, [l0, undefined, l2]);
    expect(changes.incompleteBelow).toEqual([1]);
    expect(changes.providerOf("b")).toBe(2);
    expect(changes.providerOf("a")).toBe(0);
  });
});
