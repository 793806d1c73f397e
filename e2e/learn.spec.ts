/**
 * The teaching view ("How this image is built") against the real registry, proxy and built app:
 * IDs, chain IDs computed here independently, the overlay order, the replayed pull, and the
 * language switch.
 */
import { createHash } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink, openReference } from "./helpers/ui";

/** config.md "Layer ChainID", written out again here so the page is checked against an independent computation. */
function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? d : `sha256:${createHash("sha256").update(`${parent} ${d}`, "utf8").digest("hex")}`);
  }
  return out;
}

/** The image's diff_ids, read from its config blob through the proxy. */
async function diffIdsOf(request: APIRequestContext, host: string, repository: string, configDigest: string): Promise<string[]> {
  const res = await request.get(`/registry/${host}/v2/${repository}/blobs/${configDigest}`);
  expect(res.status()).toBe(200);
  const body = await res.body();
  expect(`sha256:${createHash("sha256").update(body).digest("hex")}`).toBe(configDigest);
  return (JSON.parse(body.toString("utf8")) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
}

/** The lowerdir list of the mount command, with the shell's backslash-newlines joined. */
async function lowerdir(page: Page): Promise<string[]> {
  const text = (await page.getByTestId("overlay-command").textContent()) ?? "";
  const joined = text.replace(/\\\n/g, "");
  const m = /lowerdir=([^,\s]+)/.exec(joined);
  expect(m, joined).not.toBeNull();
  return m![1]!.split(":");
}

test("a Docker image: image ID, chain IDs, overlay order, the pull, and 简体中文", async ({ page, request }) => {
  const { hosts, images } = state();
  const img = images.docker;
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  const learn = page.getByTestId("learn");
  await expect(learn).toBeVisible();

  // Manifest digest vs image ID: the image ID is the config digest the config card shows.
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(learn.getByTestId("learn-image-id")).toHaveText(img.configDigest);
  expect(await learn.getByTestId("learn-image-id").textContent()).toBe((await page.getByTestId("image-id").textContent())?.trim());
  await expect(learn.getByTestId("learn-image-id-short")).toHaveText(img.configDigest.slice(7, 19));
  await expect(learn.getByTestId("learn-manifest-digest")).toHaveText(img.manifestDigest);

  // Layer digests beside diff_ids, verified live.
  const diffIds = await diffIdsOf(request, hosts.open, img.repository, img.configDigest);
  const rows = learn.getByTestId("learn-layer-row");
  await expect(rows).toHaveCount(img.layerDigests.length);
  await expect(learn.locator('[data-testid="learn-layer-row"][data-diffid-verdict="verified"]')).toHaveCount(img.layerDigests.length, {
    timeout: 20_000,
  });
  for (const [i, digest] of img.layerDigests.entries()) {
    await expect(rows.nth(i)).toContainText(digest);
    await expect(rows.nth(i)).toContainText(diffIds[i]!);
  }

  // Chain IDs, as computed here with node:crypto.
  const expected = chainIds(diffIds);
  const chainRows = learn.getByTestId("chainid-row");
  await expect(chainRows).toHaveCount(expected.length);
  expect(await learn.getByTestId("chainid").allTextContents()).toEqual(expected);

  // The overlay mount lists the TOP layer first, the base last.
  const lower = await lowerdir(page);
  expect(lower).toHaveLength(expected.length);
  expect(lower.map((d) => /([a-f0-9]{64})/.exec(d)?.[1])).toEqual([...expected].reverse().map((c) => c.slice(7)));

  // The pull, replayed: the manifest and config requests this page made, with status 200.
  const manifestStep = learn.locator('[data-testid="pull-step"][data-step="manifest"]');
  await expect(manifestStep.locator('[data-testid="pull-request"][data-status="200"]')).toContainText([`/v2/${img.repository}/manifests/${img.tag}`]);
  const configStep = learn.locator('[data-testid="pull-step"][data-step="config"]');
  await expect(configStep.locator('[data-testid="pull-request"][data-status="200"]')).toContainText([`/blobs/${img.configDigest}`]);
  for (const step of ["token", "manifest", "config", "blobs", "digest", "decompress", "diffid"]) {
    await expect(learn.locator(`[data-testid="pull-step"][data-step="${step}"]`)).toHaveCount(1);
  }
  await expect(learn.locator('[data-testid="pull-step"][data-step="blobs"] [data-testid="pull-request"]')).toHaveCount(img.layerDigests.length);
  // Layer blobs are fetched in workers; the status each one got from the proxy still reaches the log.
  await expect(learn.locator('[data-testid="pull-step"][data-step="blobs"] [data-testid="pull-request"][data-status="200"]')).toHaveCount(img.layerDigests.length, { timeout: 20_000 });

  // History: the empty_layer rows are the config's.
  await expect(learn.locator('[data-testid="learn-history-row"][data-empty-layer="true"]')).toHaveCount(img.emptyLayerCount);

  // 简体中文: the text changes, the values stay, and the choice is in the URL.
  const english = await learn.getByTestId("learn-ids").innerText();
  await learn.getByTestId("learn-lang").selectOption({ label: "简体中文" });
  await expect(learn.getByRole("heading", { level: 2 })).toHaveText("这个镜像是怎样构成的");
  await expect(learn.getByTestId("learn-ids")).toContainText("镜像 ID");
  await expect(learn.getByTestId("learn-ids")).toContainText("清单摘要");
  expect(await learn.getByTestId("learn-ids").innerText()).not.toBe(english);
  await expect(learn.getByTestId("learn-image-id")).toHaveText(img.configDigest);
  await expect(page).toHaveURL(/[?&]lang=zh/);
  await page.reload();
  await expect(page.getByTestId("learn").getByRole("heading", { level: 2 })).toHaveText("这个镜像是怎样构成的");
  await page.getByTestId("learn-lang").selectOption("en");
  await expect(page.getByTestId("learn").getByRole("heading", { level: 2 })).toHaveText("How this image is built");
  await expect(page).not.toHaveURL(/[?&]lang=/);
});

test("an index: the tag resolves to the index, then the platform manifest is fetched by digest", async ({ page }) => {
  const { hosts, images } = state();
  const multi = images.multi;
  const amd64 = multi.images.find((i) => i.platform === "linux/amd64");
  expect(amd64).toBeDefined();
  await openDeepLink(page, ref(hosts.open, multi.repository, multi.tag));
  const learn = page.getByTestId("learn");
  await expect(learn.getByTestId("learn-index-digest")).toHaveText(multi.indexDigest);
  await expect(learn.getByTestId("learn-manifest-digest")).toHaveText(amd64!.manifestDigest);
  await expect(learn.getByTestId("learn-image-id")).toHaveText(amd64!.configDigest);
  const requests = learn.locator('[data-testid="pull-step"][data-step="manifest"] [data-testid="pull-request"][data-status="200"]');
  await expect(requests).toHaveCount(2);
  await expect(requests.nth(0)).toContainText(`/manifests/${multi.tag}`);
  await expect(requests.nth(1)).toContainText(`/manifests/${amd64!.manifestDigest}`);
});

test("by digest, a deep link with ?lang=zh opens in Chinese", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.oci;
  await page.goto(`/?image=${ref(hosts.open, img.repository, img.manifestDigest)}&lang=zh`);
  const learn = page.getByTestId("learn");
  await expect(learn.getByTestId("learn-lang")).toHaveValue("zh");
  await expect(learn.getByTestId("learn-ids")).toContainText("按摘要打开");
  await expect(learn.getByTestId("learn-ids")).toContainText(img.manifestDigest);
  await expect(learn.getByTestId("chainid-row")).toHaveCount(img.layerDigests.length);
});

test("history that does not line up with the layers gets the explanation that fits (SECURITY D4)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.mismatch;
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  const learn = page.getByTestId("learn");
  // Three steps say they made a layer; the manifest has two.
  const quirk = learn.locator('[data-testid="learn-quirk"] [data-kind="more-steps"]');
  await expect(quirk).toContainText("3 steps say they made a layer, but the manifest has 2 layers");
  await expect(learn.getByTestId("learn-history-row")).toHaveCount(img.historyCount);
  await learn.getByTestId("learn-lang").selectOption("zh");
  await expect(quirk).toContainText("有 3 步声称产生了层，但清单里只有 2 层");
});
