import { describe, expect, it } from "vitest";
import { familiarReference, formatReference, parseReference, type Reference } from "./index";

const D = `sha256:${"a".repeat(64)}`;
const D512 = `sha512:${"b".repeat(128)}`;

// Good inputs and the normalised Reference Docker would use (docker/distribution normalize.go).
const good: Array<[input: string, want: Reference]> = [
  ["alpine", { registry: "docker.io", repository: "library/alpine", tag: "latest" }],
  ["alpine:3.20", { registry: "docker.io", repository: "library/alpine", tag: "3.20" }],
  ["library/alpine:3.20", { registry: "docker.io", repository: "library/alpine", tag: "3.20" }],
  ["docker.io/alpine", { registry: "docker.io", repository: "library/alpine", tag: "latest" }],
  ["docker.io/library/alpine", { registry: "docker.io", repository: "library/alpine", tag: "latest" }],
  ["index.docker.io/alpine", { registry: "docker.io", repository: "library/alpine", tag: "latest" }],
  ["index.docker.io/bitnami/nginx:1", { registry: "docker.io", repository: "bitnami/nginx", tag: "1" }],
  ["DOCKER.IO/bitnami/nginx", { registry: "docker.io", repository: "bitnami/nginx", tag: "latest" }],
  // Docker does not rewrite registry-1.docker.io, and it is not Hub's canonical name: no library/.
  ["registry-1.docker.io/alpine", { registry: "registry-1.docker.io", repository: "alpine", tag: "latest" }],
  ["bitnami/nginx", { registry: "docker.io", repository: "bitnami/nginx", tag: "latest" }],
  ["ghcr.io/org/app:tag", { registry: "ghcr.io", repository: "org/app", tag: "tag" }],
  ["GHCR.IO/org/app:TaG", { registry: "ghcr.io", repository: "org/app", tag: "TaG" }],
  ["localhost:5000/x", { registry: "localhost:5000", repository: "x", tag: "latest" }],
  ["localhost/x", { registry: "localhost", repository: "x", tag: "latest" }],
  ["[::1]:5000/x", { registry: "[::1]:5000", repository: "x", tag: "latest" }],
  ["[::1]/x:1", { registry: "[::1]", repository: "x", tag: "1" }],
  ["[2001:DB8::1]:443/x", { registry: "[2001:db8::1]:443", repository: "x", tag: "latest" }],
  ["127.0.0.1:5001/a/b", { registry: "127.0.0.1:5001", repository: "a/b", tag: "latest" }],
  ["host:5000/a/b/c:tag", { registry: "host:5000", repository: "a/b/c", tag: "tag" }],
  ["my-registry.example.com/team/app", { registry: "my-registry.example.com", repository: "team/app", tag: "latest" }],
  [`alpine@${D}`, { registry: "docker.io", repository: "library/alpine", digest: D }],
  [`alpine:3.20@${D}`, { registry: "docker.io", repository: "library/alpine", tag: "3.20", digest: D }],
  [`ghcr.io/o/a@${D512}`, { registry: "ghcr.io", repository: "o/a", digest: D512 }],
  ["  nginx:1.27\n", { registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
  ["a_b__c-d---e/f.g_h", { registry: "docker.io", repository: "a_b__c-d---e/f.g_h", tag: "latest" }],
  ["x:_tag", { registry: "docker.io", repository: "library/x", tag: "_tag" }],
  [`x:${"t".repeat(128)}`, { registry: "docker.io", repository: "library/x", tag: "t".repeat(128) }],
  // No "/" so "localhost:5000" is a Docker Hub name with tag 5000, exactly as Docker reads it.
  ["localhost:5000", { registry: "docker.io", repository: "library/localhost", tag: "5000" }],
  // A registry with no "/" after it is just a Hub repository with dots, like Docker.
  ["ghcr.io", { registry: "docker.io", repository: "library/ghcr.io", tag: "latest" }],
  // Well-formed unknown algorithm: accepted here, shown later as "cannot verify" (SECURITY D5).
  ["x@md5:d41d8cd98f00b204e9800998ecf8427e", { registry: "docker.io", repository: "library/x", digest: "md5:d41d8cd98f00b204e9800998ecf8427e" }],
];

// Bad inputs and the part that must be named.
const bad: Array<[input: string, part: string, reason: RegExp]> = [
  ["", "", /empty/],
  ["   ", "", /empty/],
  ["https://ghcr.io/org/app", "https://", /leave out the scheme/],
  ["http://localhost:5000/x", "http://", /leave out the scheme/],
  ["docker://alpine", "docker://", /leave out the scheme/],
  ["nginx latest", "nginx latest", /spaces/],
  ["nginx\t:1", "nginx\t:1", /spaces/],
  ["Alpine", "Alpine", /repository names must be lowercase/],
  ["ghcr.io/Org/app", "Org", /repository names must be lowercase/],
  ["MyOrg/app", "MyOrg", /repository names must be lowercase/],
  ["alpine:", ":", /tag is empty/],
  // "alpine:a" has a ":" before the first "/", so (like Docker) it is read as host:port.
  ["alpine:a/b", "alpine:a", /not a port/],
  ["ghcr.io/x:a/b", "a/b", /only contain letters/],
  ["alpine:t!", "t!", /only contain letters/],
  ["alpine:.hidden", ".hidden", /cannot start with '.' or '-'/],
  ["alpine:-x", "-x", /cannot start with '.' or '-'/],
  [`alpine:${"t".repeat(129)}`, "t".repeat(129), /129 characters; at most 128/],
  ["alpine:1:2", "1:2", /only contain letters/],
  ["alpine@", "@", /nothing after '@'/],
  [`@${D}`, "@", /repository name is missing/],
  ["alpine@sha256:abc", "sha256:abc", /64 lowercase hex digits/],
  [`alpine@sha256:${"A".repeat(64)}`, `sha256:${"A".repeat(64)}`, /uppercase/],
  [`alpine@sha256:${"g".repeat(64)}`, `sha256:${"g".repeat(64)}`, /64 lowercase hex/],
  [`alpine@SHA256:${"a".repeat(64)}`, `SHA256:${"a".repeat(64)}`, /not a valid digest algorithm/],
  [`alpine@${D}@${D}`, `${D}@${D}`, /characters outside/],
  ["alpine@sha256", "sha256", /no ':'/],
  ["a//b", "a//b", /empty component/],
  ["a/b/", "a/b/", /ends with '\/'/],
  ["/alpine", "/alpine", /starts with '\/'/],
  ["ghcr.io/", "ghcr.io/", /missing after the registry/],
  ["ghcr.io//x", "/x", /starts with '\/'/],
  [":tag", ":tag", /repository name is missing/],
  ["a-/b", "a-", /lowercase letters and digits/],
  ["a..b", "a..b", /lowercase letters and digits/],
  ["café", "café", /lowercase letters and digits/],
  ["host:0/x", "host:0", /not a port/],
  ["host:65536/x", "host:65536", /not a port/],
  ["host:80a/x", "host:80a", /not a port/],
  ["host:05000/x", "host:05000", /not a port/],
  ["host:/x", "host:", /port is empty/],
  ["[::1/x", "[::1", /closing '\]'/],
  ["[zz::1]:5000/x", "[zz::1]", /IPv6/],
  ["[::1]x/y", "[::1]x", /only ':port'/],
  ["-bad.example.com/x", "-bad.example.com", /registry host/],
  ["a..example.com/x", "a..example.com", /registry host/],
  [":5000/x", ":5000", /host is empty/],
  [`${"a".repeat(64)}`, "a".repeat(64), /image ID/],
  [`ghcr.io/${"a".repeat(250)}`, "a".repeat(250), /258 characters; at most 255/],
  // library/ counts towards the limit, as in Docker (the limit applies after normalisation).
  [`${"a".repeat(240)}`, "a".repeat(240), /at most 255/],
];

describe("parseReference: good", () => {
  it.each(good)("%j", (input, want) => {
    expect(parseReference(input)).toEqual({ ok: true, value: want });
  });
});

describe("parseReference: bad", () => {
  it.each(bad)("%j", (input, part, reason) => {
    const r = parseReference(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ kind: "bad-reference", input, part });
    expect(r.error.reason).toMatch(reason);
  });
});

describe("formatReference / familiarReference", () => {
  it.each([
    ["alpine", "docker.io/library/alpine:latest", "alpine:latest"],
    ["bitnami/nginx:1", "docker.io/bitnami/nginx:1", "bitnami/nginx:1"],
    [`alpine:3@${D}`, `docker.io/library/alpine:3@${D}`, `alpine:3@${D}`],
    [`alpine@${D}`, `docker.io/library/alpine@${D}`, `alpine@${D}`],
    ["docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"],
    ["ghcr.io/o/a:t", "ghcr.io/o/a:t", "ghcr.io/o/a:t"],
    ["[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest"],
    ["registry-1.docker.io/library/x", "registry-1.docker.io/library/x:latest", "registry-1.docker.io/library/x:latest"],
  ])("%s", (input, canonical, familiar) => {
    const r = parseReference(input);
    if (!r.ok) throw new Error(r.error.reason);
    expect(formatReference(r.value)).toBe(canonical);
    expect(familiarReference(r.value)).toBe(familiar);
  });

  it("round-trips: parse(format(parse(x))) === parse(x), and familiar form parses back the same", () => {
    for (const [, want] of good) {
      const again = parseReference(formatReference(want));
      expect(again).toEqual({ ok: true, value: want });
      expect(parseReference(familiarReference(want))).toEqual({ ok: true, value: want });
    }
  });
});
