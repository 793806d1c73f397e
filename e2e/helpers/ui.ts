/** Page helpers written against the UI test ids of the shared contract. */
import { expect, type Page } from "@playwright/test";
import type { ErrorKind } from "../../src/core/errors";
import type { ImageFacts } from "./state";

/** From the start page: put `reference` in the input as a paste would (one insertion), then Open. */
export async function openReference(page: Page, reference: string): Promise<void> {
  await page.goto("/");
  const input = page.getByTestId("ref-input");
  await input.click();
  await input.fill("");
  await page.keyboard.insertText(reference);
  await page.getByTestId("ref-submit").click();
}

/** Opens a deep link (/?image=REF[&platform=…]). */
export async function openDeepLink(page: Page, reference: string, platform?: string): Promise<void> {
  const q = new URLSearchParams({ image: reference });
  if (platform) q.set("platform", platform);
  await page.goto(`/?${q.toString()}`);
}

/** The error panel of one kind (there may be other panels, e.g. per layer; the first is enough). */
export async function expectError(page: Page, kind: ErrorKind, timeout?: number): Promise<void> {
  const error = page.locator(`[data-testid="error"][data-kind="${kind}"]`).first();
  await expect(error).toBeVisible(timeout ? { timeout } : {});
}

/** The image page of a single-platform image: digests, verification, image ID, platform, history. */
export async function expectImage(page: Page, img: ImageFacts): Promise<void> {
  await expect(page.getByTestId("manifest-digest")).toContainText(img.manifestDigest);
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(page.getByTestId("config-verification")).toContainText(/verified/i);
  await expect(page.getByTestId("config-os-arch")).toContainText(img.platform);
  await expect(page.getByTestId("history-row")).toHaveCount(img.historyCount);
  await expect(page.locator('[data-testid="history-row"][data-empty-layer="true"]')).toHaveCount(img.emptyLayerCount);
}

/** Verified or matching Docker-Content-Digest, never a mismatch. */
export async function expectManifestVerified(page: Page): Promise<void> {
  const v = page.getByTestId("manifest-verification");
  await expect(v).toContainText(/verified|match/i);
  await expect(v).not.toContainText(/mismatch/i);
}

/** Counts the requests the page sends to the proxy's /registry routes from now on. */
export function countRegistryRequests(page: Page): { readonly count: number; readonly urls: string[] } {
  const urls: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/registry/")) urls.push(r.url());
  });
  return {
    get count() {
      return urls.length;
    },
    urls,
  };
}
