/**
 * Control of layer work (issue 3 "Control", SECURITY L3/L4, P13): cancelling a layer mid-way
 * terminates its workers, whose fetch dies, and the proxy then closes its upstream request —
 * seen from the registry's side (the SLOW front records a client that left early) and in the
 * proxy's log. A cancelled layer can be retried alone, from byte 0.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink } from "./helpers/ui";
import { FLAKY_PREFIX, type SlowBlobRecord } from "./setup/slow-front";

// Both tests watch the same blob on the SLOW front: run them one after the other.
test.describe.configure({ mode: "serial" });

async function slowBlobs(slowHost: string): Promise<SlowBlobRecord[]> {
  const res = await fetch(`http://${slowHost}/__blobs`);
  return (await res.json()) as SlowBlobRecord[];
}

test("cancel mid-way closes the upstream request; retry runs the layer again from byte 0", async ({ page }) => {
  test.setTimeout(60_000);
  const { hosts, images, logs } = state();
  const img = images.layersBig;
  const blobPath = `/v2/${img.repository}/blobs/${img.layerDigests[0]}`;
  const before = (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).length;

  await openDeepLink(page, ref(hosts.slow, img.repository, img.tag));
  const row = page.locator('[data-testid="layer-row"][data-layer-index="0"]');
  await expect(row).toHaveAttribute("data-stage", "downloading");
  const progress = row.getByTestId("layer-progress");
  await expect(progress).toBeVisible();
  // Some bytes arrived (the slow front sends 4 MB/s; the layer is 16 MiB).
  await expect
    .poll(async () => (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath && b.sent > 1024 * 1024).length, { timeout: 10_000 })
    .toBeGreaterThan(before);

  await row.getByTestId("layer-cancel").click();
  await expect(row).toHaveAttribute("data-stage", "cancelled");

  // Registry side: the request was closed before its end, within 2 s (P13).
  await expect
    .poll(async () => (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).slice(before).some((b) => b.closedEarly && !b.done), { timeout: 2_000 })
    .toBe(true);
  // Proxy side: its log names the blob request as closed by the client.
  await expect
    .poll(() => readFileSync(logs.proxy, "utf8").split("\n").some((l) => l.includes(blobPath) && l.includes("client-closed")), { timeout: 5_000 })
    .toBe(true);

  // Retry: the same layer alone, from byte 0, to a verified end.
  await row.getByTestId("layer-retry").click();
  await expect(row).toHaveAttribute("data-stage", "done", { timeout: 30_000 });
  await expect(row.getByTestId("digest-verdict")).toContainText("verified");
  await expect(row.getByTestId("diffid-verdict")).toContainText("verified");
  const requests = (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).slice(before);
  expect(requests.length).toBeGreaterThanOrEqual(2);
  expect(requests.at(-1)).toMatchObject({ done: true, sent: requests.at(-1)!.total });
});

test("navigating away mid-layer aborts the work end to end (L4)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.layersBig;
  const blobPath = `/v2/${img.repository}/blobs/${img.layerDigests[0]}`;
  const before = (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).length;
  await openDeepLink(page, ref(hosts.slow, img.repository, img.tag));
  await expect
    .poll(async () => (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).length, { timeout: 10_000 })
    .toBeGreaterThan(before);
  await page.goto("/");
  await expect(page.getByTestId("ref-input")).toBeVisible();
  await expect
    .poll(async () => (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath).slice(before).every((b) => b.done || b.closedEarly), { timeout: 3_000 })
    .toBe(true);
});

test("a connection reset mid-layer is retried from byte 0 and verified; nothing partial is kept (L5)", async ({ page }) => {
  test.setTimeout(60_000);
  const { hosts, images } = state();
  const img = images.layersBig;
  const flakyRepo = `${FLAKY_PREFIX}${img.repository}`;
  const blobPath = `/v2/${flakyRepo}/blobs/${img.layerDigests[0]}`;

  await openDeepLink(page, ref(hosts.slow, flakyRepo, img.tag));
  const row = page.locator('[data-testid="layer-row"][data-layer-index="0"]');
  await expect(row).toHaveAttribute("data-stage", "done", { timeout: 40_000 });
  await expect(row.getByTestId("digest-verdict")).toContainText("verified");
  await expect(row.getByTestId("diffid-verdict")).toContainText("verified");
  await expect(row).toHaveAttribute("data-trusted", "true");

  // Registry side: the first GET was cut half-way, the second one ran to the end.
  const requests = (await slowBlobs(hosts.slow)).filter((b) => b.path === blobPath);
  expect(requests).toHaveLength(2);
  expect(requests[0]).toMatchObject({ done: false, sent: Math.floor(requests[0]!.total / 2) });
  expect(requests[1]).toMatchObject({ done: true, sent: requests[1]!.total });
});
