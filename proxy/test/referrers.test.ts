// The referrers API through the proxy (distribution-spec 1.1 "Listing Referrers"): the query
// reaches the registry in one spelling, and the headers a client needs come back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { request, startFake, startProxy, type FakeServer, type RunningProxy } from "./helpers.js";

const D = `sha256:${"b".repeat(64)}`;
const INDEX = "application/vnd.oci.image.index.v1+json";

describe("P8 referrers: the API shape and its query", () => {
  let up: FakeServer;
  let proxy: RunningProxy;
  beforeAll(async () => {
    up = await startFake((req, res) => {
      const filtered = (req.url ?? "").includes("artifactType=");
      res.writeHead(200, {
        "Content-Type": INDEX,
        ...(filtered ? { "OCI-Filters-Applied": "artifactType" } : { Link: `</v2/x/referrers/${D}?n=1&last=${D}>; rel="next"` }),
      });
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] }));
    });
    proxy = await startProxy({ allowHosts: [up.host] });
  });
  afterAll(async () => {
    await proxy.close();
    await up.close();
  });

  it("forwards GET /v2/<name>/referrers/<digest>; Link passes back", async () => {
    const a = await request(`${proxy.base}/registry/${up.host}/v2/x/referrers/${D}`, { headers: { Accept: INDEX } });
    expect(a.status).toBe(200);
    expect(up.requests.at(-1)?.url).toBe(`/v2/x/referrers/${D}`);
    expect(a.headers["link"]).toBe(`</v2/x/referrers/${D}?n=1&last=${D}>; rel="next"`);
    expect(a.headers["content-type"]).toBe(INDEX);
  });

  it("forwards ?artifactType= re-encoded, and OCI-Filters-Applied is passed and exposed to the page", async () => {
    const a = await request(`${proxy.base}/registry/${up.host}/v2/x/referrers/${D}?artifactType=application/vnd.dev.cosign.artifact.sig.v1+json`);
    expect(a.status).toBe(200);
    expect(up.requests.at(-1)?.url).toBe(`/v2/x/referrers/${D}?artifactType=application%2Fvnd.dev.cosign.artifact.sig.v1%2Bjson`);
    expect(a.headers["oci-filters-applied"]).toBe("artifactType");
    expect(String(a.headers["access-control-expose-headers"])).toContain("OCI-Filters-Applied");
  });

  it.each([
    `/v2/x/referrers/${D}?artifactType=text%2Fplain%0d%0aX-Evil:%201`,
    `/v2/x/referrers/${D}?artifactType=nope`,
    `/v2/x/referrers/${D}?other=1`,
    `/v2/x/referrers/latest`,
  ])("P8 refuses %s with 400, nothing upstream", async (path) => {
    const before = up.requests.length;
    const a = await request(`${proxy.base}/registry/${up.host}${path}`);
    expect(a.status).toBe(400);
    expect(up.requests.length).toBe(before);
  });
});
