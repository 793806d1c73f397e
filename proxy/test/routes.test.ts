import { describe, expect, it } from "vitest";

import { parseRegistryRoute } from "../routes.js";

const D = `sha256:${"a".repeat(64)}`;

describe("P8 registry routes: only distribution API shapes", () => {
  const good: [url: string, kind: string, upstream: string, host: string][] = [
    ["/registry/registry-1.docker.io/v2/", "ping", "/v2/", "registry-1.docker.io:443"],
    ["/registry/ghcr.io/v2/owner/repo/manifests/latest", "manifest", "/v2/owner/repo/manifests/latest", "ghcr.io:443"],
    [`/registry/ghcr.io/v2/owner/repo/manifests/${D}`, "manifest", `/v2/owner/repo/manifests/${D}`, "ghcr.io:443"],
    [`/registry/127.0.0.1:5001/v2/a/b/c/blobs/${D}`, "blob", `/v2/a/b/c/blobs/${D}`, "127.0.0.1:5001"],
    ["/registry/[::1]:5002/v2/library/nginx/tags/list", "tags", "/v2/library/nginx/tags/list", "[::1]:5002"],
    ["/registry/r.io/v2/x/tags/list?n=10&last=v1.2", "tags", "/v2/x/tags/list?n=10&last=v1.2", "r.io:443"],
    [`/registry/r.io/v2/x/referrers/${D}`, "referrers", `/v2/x/referrers/${D}`, "r.io:443"],
    // distribution-spec end-12b: the artifactType filter, sent encoded and re-encoded one way.
    [`/registry/r.io/v2/x/referrers/${D}?artifactType=application%2Fspdx%2Bjson`, "referrers", `/v2/x/referrers/${D}?artifactType=application%2Fspdx%2Bjson`, "r.io:443"],
    [`/registry/r.io/v2/x/referrers/${D}?artifactType=application/spdx%2bjson`, "referrers", `/v2/x/referrers/${D}?artifactType=application%2Fspdx%2Bjson`, "r.io:443"],
    [`/registry/r.io/v2/x/referrers/${D}?artifactType=application/vnd.dev.cosign.artifact.sig.v1+json`, "referrers", `/v2/x/referrers/${D}?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson`, "r.io:443"],
    // A registry's next-page link.
    [`/registry/r.io/v2/x/referrers/${D}?n=10&last=${D}`, "referrers", `/v2/x/referrers/${D}?n=10&last=sha256%3A${"a".repeat(64)}`, "r.io:443"],
    ["/registry/r.io/v2/a.b_c__d---e/f/manifests/V1.0_rc-1", "manifest", "/v2/a.b_c__d---e/f/manifests/V1.0_rc-1", "r.io:443"],
    ["/registry/%E2%91%A0%E2%91%A1%E2%91%A6.0.0.1/v2/", "ping", "/v2/", "127.0.0.1:443"],
    [`/registry/r.io/v2/x/manifests/sha512:${"b".repeat(128)}`, "manifest", `/v2/x/manifests/sha512:${"b".repeat(128)}`, "r.io:443"],
  ];
  it.each(good)("P8 accepts %s", (url, kind, upstream, host) => {
    const r = parseRegistryRoute(url);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.route.call.kind).toBe(kind);
    expect(r.route.upstreamPath).toBe(upstream);
    expect(r.route.target.key).toBe(host);
    expect(r.route.logPath).not.toContain("?");
  });

  const bad: string[] = [
    "/registry/",
    "/registry/r.io",
    "/registry/r.io/",
    "/registry/r.io/v2",
    "/registry/r.io/v1/",
    "/registry/r.io/v2/_catalog",
    "/registry/r.io/v2/x/manifests/",
    "/registry/r.io/v2/x/blobs/latest",
    "/registry/r.io/v2/x/blobs/uploads/",
    "/registry/r.io/v2/x/../y/manifests/latest",
    "/registry/r.io/v2/x/%2e%2e/y/manifests/latest",
    "/registry/r.io/v2/x/%2E%2E/manifests/latest",
    "/registry/r.io/v2/x%2fy/manifests/latest",
    "/registry/r.io/v2/x%2Fy/manifests/latest",
    "/registry/r.io/v2/x/manifests/latest%0d%0aX-Injected:%201",
    "/registry/r.io/v2/x/manifests/lat%65st",
    "/registry/r.io/v2/X/manifests/latest",
    "/registry/r.io/v2//x/manifests/latest",
    "/registry/r.io/v2/x//y/manifests/latest",
    "/registry/r.io/v2/-x/manifests/latest",
    "/registry/r.io/v2/x/manifests/-bad",
    `/registry/r.io/v2/x/manifests/${"t".repeat(129)}`,
    "/registry/r.io/v2/x\\y/manifests/latest",
    "/registry/r.io/v2/x/manifests/latest?foo=bar",
    "/registry/r.io/v2/?x=1",
    "/registry/r.io/v2/x/tags/list?n=10&n=11",
    "/registry/r.io/v2/x/tags/list?n=abc",
    "/registry/r.io/v2/x/tags/list?last=a/b",
    "/registry/r.io/v2/x/tags/list?url=http://evil",
    `/registry/r.io/v2/x/referrers/${D}?artifactType=notamediatype`,
    `/registry/r.io/v2/x/referrers/${D}?artifactType=text%2Fplain%0d%0aX-Injected:%201`,
    `/registry/r.io/v2/x/referrers/${D}?artifactType=text%2Fplain%20x`,
    `/registry/r.io/v2/x/referrers/${D}?artifactType=a%2Fb&artifactType=c%2Fd`,
    `/registry/r.io/v2/x/referrers/${D}?artifactType=%E0%A4%A`,
    `/registry/r.io/v2/x/referrers/${D}?url=http://evil`,
    `/registry/r.io/v2/x/referrers/${D}?last=a/b`,
    `/registry/r.io/v2/x/referrers/${D}?n=many`,
    `/registry/r.io/v2/x%2Fy/referrers/${D}?artifactType=a%2Fb`,
    `/registry/r.io/v2/x/manifests/latest?artifactType=a%2Fb`,
    "/registry/r.io/v2/x/manifests/latest#frag",
    "/registry/user:pass@r.io/v2/",
    "/registry/r.io%2fevil/v2/",
    "/registry/r.io%252f/v2/",
    "/registry/r.io%00/v2/",
    "/registry/%ZZ/v2/",
    "/registry/r.io:0/v2/",
    "/registry/r.io/v2/x/manifests/latest extra",
    `/registry/r.io/v2/${"a/".repeat(200)}b/manifests/latest`,
  ];
  it.each(bad)("P8 refuses %s", (url) => {
    expect(parseRegistryRoute(url).ok).toBe(false);
  });
});
