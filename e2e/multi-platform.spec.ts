/** An OCI index: default platform, picking another, attestations kept apart (SECURITY R8). */
import { expect, test } from "@playwright/test";
import { state, ref } from "./helpers/state";
import { openDeepLink, openReference } from "./helpers/ui";

function platforms() {
  const { images } = state();
  const [amd64, arm64] = images.multi.images;
  if (!amd64 || !arm64) throw new Error("state: e2e/multi should have two images");
  return { amd64, arm64, multi: images.multi };
}

test("the picker defaults to linux/amd64 and lists no attestation as a platform", async ({ page }) => {
  const { hosts } = state();
  const { amd64, multi } = platforms();
  await openReference(page, ref(hosts.open, multi.repository, multi.tag));

  const picker = page.getByTestId("platform-picker");
  await expect(picker).toHaveValue("linux/amd64");
  await expect(page.getByTestId("image-id")).toContainText(amd64.configDigest);
  await expect(page.getByTestId("config-os-arch")).toContainText("linux/amd64");

  const values = await picker.locator("option").evaluateAll((opts) => opts.map((o) => (o as HTMLOptionElement).value));
  expect(values).toContain("linux/amd64");
  expect(values.some((v) => v.startsWith("linux/arm64"))).toBe(true);
  expect(values.some((v) => v.includes("unknown"))).toBe(false);
});

test("picking linux/arm64 shows a different image ID and updates the URL", async ({ page }) => {
  const { hosts } = state();
  const { amd64, arm64, multi } = platforms();
  await openReference(page, ref(hosts.open, multi.repository, multi.tag));
  const picker = page.getByTestId("platform-picker");
  await expect(picker).toHaveValue("linux/amd64");

  const values = await picker.locator("option").evaluateAll((opts) => opts.map((o) => (o as HTMLOptionElement).value));
  const arm = values.find((v) => v.startsWith("linux/arm64"));
  expect(arm).toBeDefined();
  await picker.selectOption(arm ?? "linux/arm64");

  await expect(page.getByTestId("image-id")).toContainText(arm64.configDigest);
  await expect(page.getByTestId("image-id")).not.toContainText(amd64.configDigest);
  await expect(page.getByTestId("config-os-arch")).toContainText("linux/arm64");
  await expect(page).toHaveURL(/[?&]platform=linux(%2F|\/)arm64/);
});

test("deep link with &platform=linux/arm64 picks the arm64/v8 image", async ({ page }) => {
  const { hosts } = state();
  const { arm64, multi } = platforms();
  await openDeepLink(page, ref(hosts.open, multi.repository, multi.tag), "linux/arm64");
  await expect(page.getByTestId("image-id")).toContainText(arm64.configDigest);
});

test("attestations are listed apart from the platforms", async ({ page }) => {
  const { hosts } = state();
  const { multi } = platforms();
  await openReference(page, ref(hosts.open, multi.repository, multi.tag));
  const attestations = page.getByTestId("attestations");
  await expect(attestations).toBeVisible();
  // Short digests show at least the first 12 hex characters, as docker does.
  await expect(attestations).toContainText(multi.attestation.manifestDigest.slice("sha256:".length, "sha256:".length + 12));
});
