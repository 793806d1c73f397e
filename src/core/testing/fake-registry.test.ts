import { beforeAll, describe, expect, it } from "vitest";
import { digestBytes } from "../digest";
import { repositoryWithImage, type BuiltImage, type Repository } from "./image";
import { chunkedResponse, createFakeRegistry, FAKE_PROXY_BASE } from "./fake-registry";

let repo: Repository;
let image: BuiltImage;
const at = (path: string) => `${FAKE_PROXY_BASE}/[::1]:5000/v2/${path}`;

beforeAll(async () => {
  ({ repo, image } = await repositoryWithImage({ layers: [{ entries: [{ path: "a", content: "a" }] }] }, "v1"));
});

const fake = (o: Partial<Parameters<typeof createFakeRegistry>[0]> = {}) =>
  createFakeRegistry({ repositories: new Map([["[::1]:5000/org/app", repo]]), ...o });

describe("fake registry", () => {
  it("routes proxy-style URLs, IPv6 host and nested names included", async () => {
    const f = fake();
    await f.fetch(at("org/app/manifests/v1"));
    await f.fetch(at(`org/app/blobs/${image.config.digest}`));
    await f.fetch(at("org/app/tags/list"));
    await f.fetch(at(""));
    expect(f.requests.map((r) => [r.registry, r.kind, r.repository, r.reference])).toEqual([
      ["[::1]:5000", "manifest", "org/app", "v1"],
      ["[::1]:5000", "blob", "org/app", image.config.digest],
      ["[::1]:5000", "tags", "org/app", undefined],
      ["[::1]:5000", "base", undefined, undefined],
    ]);
  });

  it("serves manifests with their media type and Docker-Content-Digest", async () => {
    const res = await fake().fetch(at("org/app/manifests/v1"));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(image.manifest.mediaType);
    expect(res.headers.get("Docker-Content-Digest")).toBe(image.manifest.digest);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image.manifest.bytes);
  });

  it("answers HEAD without a body", async () => {
    const res = await fake().fetch(at("org/app/manifests/v1"), { method: "HEAD" });
    expect(res.headers.get("Docker-Content-Digest")).toBe(image.manifest.digest);
    expect(res.body).toBeNull();
  });

  it("lists tags", async () => {
    expect(await (await fake().fetch(at("org/app/tags/list"))).json()).toEqual({ name: "org/app", tags: ["v1"] });
  });

  it.each([
    [at("org/app/manifests/v2"), 404, "MANIFEST_UNKNOWN"],
    [at("org/other/manifests/v1"), 404, "NAME_UNKNOWN"],
    [at(`org/app/blobs/sha256:${"0".repeat(64)}`), 404, "BLOB_UNKNOWN"],
    [`${FAKE_PROXY_BASE}/host/not-v2`, 400, "BAD_REQUEST"],
    ["http://elsewhere.test/x", 400, "BAD_REQUEST"],
  ])("%s → %i %s", async (url, status, code) => {
    const res = await fake().fetch(url);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(code);
  });

  it("checks UTF-8 Basic credentials", async () => {
    const f = fake({ credentials: { username: "u", password: "pä€" } });
    const good = `Basic ${Buffer.from("u:pä€").toString("base64")}`;
    expect((await f.fetch(at("org/app/manifests/v1"), { headers: { Authorization: good } })).status).toBe(200);
    expect((await f.fetch(at("org/app/manifests/v1"), { headers: { Authorization: "Basic dTp4" } })).status).toBe(401);
    const anonymous = await f.fetch(at("org/app/manifests/v1"));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("X-Registry-Www-Authenticate")).toMatch(/^Basic /);
  });

  it("corrupts bytes when asked, so the digest no longer matches", async () => {
    const res = await fake({ corrupt: true }).fetch(at(`org/app/blobs/${image.config.digest}`));
    expect(await digestBytes("sha256", new Uint8Array(await res.arrayBuffer()))).not.toBe(image.config.digest);
  });

  it("cuts bodies into the given chunk sizes", async () => {
    const res = await fake({ chunks: [1, 2] }).fetch(at("org/app/manifests/v1"));
    const reader = res.body!.getReader();
    const sizes: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) sizes.push(r.value.byteLength);
    expect(sizes.slice(0, 4)).toEqual([1, 2, 1, 2]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(image.manifest.size);
  });

  it("a chunked body errors when its signal aborts", async () => {
    const ac = new AbortController();
    const res = chunkedResponse(new Uint8Array(10), [1], {}, ac.signal);
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("hangs until aborted", async () => {
    const ac = new AbortController();
    const pending = fake({ hang: true }).fetch(at("org/app/manifests/v1"), { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});
