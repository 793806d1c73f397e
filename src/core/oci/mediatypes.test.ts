import { describe, expect, it } from "vitest";
import * as mt from "./mediatypes";

describe("media types", () => {
  it("MANIFEST_ACCEPT is the four current manifest and index types", () => {
    expect([...mt.MANIFEST_ACCEPT].sort()).toEqual([mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.OCI_INDEX, mt.OCI_MANIFEST].sort());
  });

  it.each<[string, string]>([
    ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.manifest.v1+json"],
    [" Application/VND.OCI.image.index.v1+json ; charset=utf-8", "application/vnd.oci.image.index.v1+json"],
    ["", ""],
  ])("bareMediaType(%j)", (input, want) => expect(mt.bareMediaType(input)).toBe(want));

  it.each<[string, (s: string) => boolean, string[], string[]]>([
    ["isManifestMediaType", mt.isManifestMediaType, [mt.OCI_MANIFEST, mt.DOCKER_MANIFEST, `${mt.OCI_MANIFEST}; x=y`], [mt.OCI_INDEX, mt.DOCKER_SCHEMA1_MANIFEST]],
    ["isIndexMediaType", mt.isIndexMediaType, [mt.OCI_INDEX, mt.DOCKER_MANIFEST_LIST.toUpperCase()], [mt.OCI_MANIFEST]],
    ["isSchema1MediaType", mt.isSchema1MediaType, [mt.DOCKER_SCHEMA1_MANIFEST, mt.DOCKER_SCHEMA1_SIGNED_MANIFEST], [mt.DOCKER_MANIFEST]],
    ["isImageConfigMediaType", mt.isImageConfigMediaType, [mt.OCI_CONFIG, mt.DOCKER_CONFIG], [mt.OCI_EMPTY, "application/vnd.cncf.helm.config.v1+json"]],
    ["isForeignLayerMediaType", mt.isForeignLayerMediaType, [mt.DOCKER_LAYER_FOREIGN_TAR_GZIP, mt.OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP], [mt.OCI_LAYER_TAR_GZIP]],
  ])("%s", (_name, predicate, yes, no) => {
    for (const s of yes) expect(predicate(s), s).toBe(true);
    for (const s of no) expect(predicate(s), s).toBe(false);
  });

  it.each<[string, mt.LayerCompression | undefined]>([
    [mt.OCI_LAYER_TAR, "none"],
    [mt.OCI_LAYER_TAR_GZIP, "gzip"],
    [mt.OCI_LAYER_TAR_ZSTD, "zstd"],
    [mt.OCI_LAYER_NONDISTRIBUTABLE_TAR, "none"],
    [mt.OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP, "gzip"],
    [mt.OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD, "zstd"],
    [mt.DOCKER_LAYER_TAR_GZIP, "gzip"],
    [mt.DOCKER_LAYER_FOREIGN_TAR_GZIP, "gzip"],
    ["application/vnd.in-toto+json", undefined],
    ["application/vnd.cncf.helm.chart.content.v1.tar+gzip", undefined],
  ])("layerCompression(%s) = %s", (type, want) => {
    expect(mt.layerCompression(type)).toBe(want);
    expect(mt.isLayerMediaType(type)).toBe(want !== undefined);
  });
});
