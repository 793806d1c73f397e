/**
 * Choosing an image, pure: selectors per transport, where a path's ':' ends and a selector's
 * begins (the disk faked), matching names, and the listing an error carries.
 */
import { describe, expect, it } from "vitest";
import { chooseImage, choiceError, listImages, nameMatches, parseSelector, splitLocation, type LocalTransport, type Selector } from "./select";
import { parseSource } from "./sources";
import { describeLine } from "./inspect";

describe("parseSelector", () => {
  it.each([
    ["docker-archive", "@0", { kind: "index", index: 0 }],
    ["docker-archive", "@12", { kind: "index", index: 12 }],
    ["oci", "@1", { kind: "index", index: 1 }],
    ["oci-archive", "@3", { kind: "index", index: 3 }],
    ["docker-archive", "busybox", { kind: "name", name: "busybox" }],
    ["docker-archive", "busybox:1.36", { kind: "name", name: "busybox:1.36" }],
    ["docker-archive", "localhost:5000/team/app:v2", { kind: "name", name: "localhost:5000/team/app:v2" }],
    ["docker-archive", "test_image_1", { kind: "name", name: "test_image_1" }],
    ["oci", "latest", { kind: "name", name: "latest" }],
    ["oci", "v1.2.3", { kind: "name", name: "v1.2.3" }],
    ["oci", "docker.io/library/busybox:latest", { kind: "name", name: "docker.io/library/busybox:latest" }],
    ["oci-archive", "Release--2", { kind: "name", name: "Release--2" }],
  ] as const)("%s :%s", (transport, text, selector) => {
    expect(parseSelector(transport, text)).toEqual({ ok: true, value: selector });
  });

  it.each([
    ["docker-archive", "", /nothing follows the ':'/],
    ["oci", "@", /"@" is not an image number/],
    ["oci", "@x", /"@x" is not an image number/],
    ["docker-archive", "@-1", /"@-1" is not an image number/],
    ["docker-archive", "@01", /"@01" is not an image number/],
    ["docker-archive", "@99999999999", /not an image number/],
    ["docker-archive", "Busybox", /"Busybox" is not an image name/],
    ["docker-archive", `busybox@sha256:${"a".repeat(64)}`, /has a digest; docker-archive images are chosen by name:tag or :@N/],
    ["oci", "has space", /not a valid org\.opencontainers\.image\.ref\.name/],
    ["oci", "-leading", /not a valid org\.opencontainers\.image\.ref\.name/],
    ["oci", "trailing/", /not a valid org\.opencontainers\.image\.ref\.name/],
  ] as const)("%s :%s is refused", (transport, text, says) => {
    const r = parseSelector(transport, text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(says);
  });
});

describe("splitLocation: a path may hold ':', so the disk decides", () => {
  /** What exists on the fake disk. */
  const disk = new Set(["img.tar", "dir", "a:b.tar", "weird:@1", "x:y", "x"]);
  const exists = (p: string): boolean => disk.has(p);
  const index = (n: number): Selector => ({ kind: "index", index: n });
  const name = (n: string): Selector => ({ kind: "name", name: n });

  it.each([
    ["docker-archive", "img.tar", { path: "img.tar" }],
    ["docker-archive", "img.tar:@1", { path: "img.tar", selector: index(1) }],
    ["docker-archive", "img.tar:busybox", { path: "img.tar", selector: name("busybox") }],
    // A name's own ':' is not where the path ends.
    ["docker-archive", "img.tar:busybox:1.36", { path: "img.tar", selector: name("busybox:1.36") }],
    ["docker-archive", "img.tar:localhost:5000/app:v1", { path: "img.tar", selector: name("localhost:5000/app:v1") }],
    ["oci", "dir:docker.io/library/busybox:latest", { path: "dir", selector: name("docker.io/library/busybox:latest") }],
    // A path holding ':': whole when it exists, the longest existing prefix otherwise.
    ["docker-archive", "a:b.tar", { path: "a:b.tar" }],
    ["docker-archive", "a:b.tar:@0", { path: "a:b.tar", selector: index(0) }],
    ["docker-archive", "weird:@1", { path: "weird:@1" }],
    ["oci", "x:y:latest", { path: "x:y", selector: name("latest") }],
    ["oci", "x:z", { path: "x", selector: name("z") }],
    // Nothing exists: skopeo's rule (the first ':' before a valid selector), so the error names the path meant.
    ["docker-archive", "/no/such.tar:busybox:1.36", { path: "/no/such.tar", selector: name("busybox:1.36") }],
    ["oci", "/no/such:@2", { path: "/no/such", selector: index(2) }],
    ["docker-archive", "/no/such.tar", { path: "/no/such.tar" }],
    ["docker-archive", "/no/such.tar:Not Valid", { path: "/no/such.tar:Not Valid" }],
  ] as const)("%s:%s", (transport, rest, location) => {
    expect(splitLocation(transport, rest, exists)).toEqual({ ok: true, value: location });
  });

  it.each([
    ["docker-archive", "", "docker-archive:", /the path is missing/],
    ["docker-archive", "img.tar:", ":", /nothing follows the ':'/],
    ["docker-archive", "img.tar:@x", "@x", /"@x" is not an image number/],
    ["oci", "dir:no way", "no way", /not a valid org\.opencontainers\.image\.ref\.name/],
    ["docker-archive", "img.tar:Upper", "Upper", /not an image name/],
  ] as const)("%s:%s is a bad selector", (transport, rest, part, says) => {
    const r = splitLocation(transport, rest, exists);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.part).toBe(part);
      expect(r.error.reason).toMatch(says);
    }
  });

  it("parseSource asks `exists`, and a bad selector is a bad-reference naming it", () => {
    expect(parseSource("oci:dir:@1", exists)).toEqual({ ok: true, value: { kind: "oci", path: "dir", selector: index(1) } });
    expect(parseSource("oci-archive:a:b.tar", exists)).toEqual({ ok: true, value: { kind: "oci-archive", path: "a:b.tar" } });
    const bad = parseSource("docker-archive:img.tar:@x", exists);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error).toMatchObject({ kind: "bad-reference", input: "docker-archive:img.tar:@x", part: "@x" });
      expect(describeLine(bad.error)).toContain("is not an image number");
    }
  });
});

describe("nameMatches and chooseImage", () => {
  it.each([
    ["docker-archive", "busybox:latest", "busybox", true],
    ["docker-archive", "busybox", "docker.io/library/busybox:latest", true],
    ["docker-archive", "docker.io/library/busybox:latest", "busybox:latest", true],
    ["docker-archive", "index.docker.io/library/busybox:latest", "busybox", true],
    ["docker-archive", "busybox:1.36", "busybox", false],
    ["docker-archive", "test_image_1", "test_image_1:latest", true],
    ["docker-archive", "bazel/v1/tarball:test_image_1", "test_image_1", false],
    ["oci", "latest", "latest", true],
    ["oci", "docker.io/library/busybox:latest", "docker.io/library/busybox:latest", true],
    // OCI names are matched as written: a ref.name is not a docker reference.
    ["oci", "docker.io/library/busybox:latest", "busybox", false],
    ["oci-archive", "v1", "V1", false],
  ] as const)("%s: %s answers %s → %s", (transport, have, wanted, matches) => {
    expect(nameMatches(transport, have, wanted)).toBe(matches);
  });

  const images = [{ names: ["app:1"] }, { names: ["app:2", "docker.io/team/app:2"] }, { names: [] }, { names: ["dup"] }, { names: ["dup"] }];
  it.each([
    [[{ names: ["only"] }], undefined, { ok: true, value: 0 }],
    [images, undefined, { ok: false, error: { problem: "not-chosen", matches: [] } }],
    [images, { kind: "index", index: 2 }, { ok: true, value: 2 }],
    [images, { kind: "index", index: 5 }, { ok: false, error: { problem: "no-such-number", matches: [] } }],
    [images, { kind: "name", name: "app:2" }, { ok: true, value: 1 }],
    [images, { kind: "name", name: "docker.io/library/app:1" }, { ok: true, value: 0 }],
    [images, { kind: "name", name: "team/app:2" }, { ok: true, value: 1 }],
    [images, { kind: "name", name: "app:3" }, { ok: false, error: { problem: "no-such-name", matches: [] } }],
    [images, { kind: "name", name: "dup" }, { ok: false, error: { problem: "ambiguous", matches: [3, 4] } }],
  ] as const)("%#: %j", (list, selector, result) => {
    expect(chooseImage("docker-archive", list, selector)).toEqual(result);
  });
});

describe("the listing an error carries", () => {
  const images = [{ names: ["test_image_2"], platform: "linux/amd64" }, { names: ["test_image_1"], platform: "linux/amd64" }, { names: [] }];

  it("lists every image on one line, numbered from 0, and cuts long lists", () => {
    expect(listImages(images)).toBe("@0 test_image_2 (linux/amd64); @1 test_image_1 (linux/amd64); @2 (no name)");
    expect(listImages(images, [1])).toBe("@1 test_image_1 (linux/amd64)");
    const many = Array.from({ length: 25 }, (_, i) => ({ names: [`n${i}`] }));
    expect(listImages(many)).toMatch(/@19 n19; … and 5 more$/);
  });

  const T: LocalTransport = "docker-archive";
  it.each([
    [undefined, "not-chosen", [], /^Cannot open this archive: The archive b\.tar holds 3 images: @0 test_image_2 .*@2 \(no name\); the command line reads one at a time\. Choose one after the path, by number \(from 0\) or by name: docker-archive:b\.tar:@1 or docker-archive:b\.tar:test_image_1\.$/],
    [{ kind: "index", index: 7 }, "no-such-number", [], /There is no image @7: the archive b\.tar holds 3 images: @0 .*Images are numbered from 0/],
    [{ kind: "name", name: "nope" }, "no-such-name", [], /No image is named "nope": the archive b\.tar holds 3 images: @0 .*A name matches a RepoTag, normalised as docker does/],
    [{ kind: "name", name: "x" }, "ambiguous", [0, 1], /2 images of b\.tar are named "x": @0 test_image_2 \(linux\/amd64\); @1 test_image_1 \(linux\/amd64\)\. Choose one by number: docker-archive:b\.tar:@0\./],
  ] as const)("%j → %s", (selector, problem, matches, says) => {
    const line = describeLine(choiceError(T, "b.tar", images, selector, problem, matches));
    expect(line).toMatch(says);
    expect(line).not.toContain("\n");
  });

  it("an oci: directory is called a layout directory, and its names are ref.name annotations", () => {
    const line = describeLine(choiceError("oci", "dir", images, { kind: "name", name: "nope" }, "no-such-name"));
    expect(line).toContain("the layout directory dir holds 3 images");
    expect(line).toContain("org.opencontainers.image.ref.name (or io.containerd.image.name) exactly");
  });
});
