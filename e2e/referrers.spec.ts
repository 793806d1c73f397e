/**
 * Referrers and artifacts (issue 5 point 8): signatures, SBOMs and other artifacts attached to an
 * image by `subject`, listed through the tag-schema fallback against the real registry (which has
 * no referrers API) and through the API (the REFERRERS front); each artifact opened and its blobs
 * verified and shown as JSON, text or hex; a damaged blob; an image with none; an artifact
 * reference opened directly; BuildKit's in-index attestations in the same view.
 */
import { readFileSync } from "node:fs";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { ref, state } from "./helpers/state";
import { openDeepLink, openReference } from "./helpers/ui";

const referrers = (page: Page): Locator => page.getByTestId("referrer-list");
const row = (page: Page, digest: string): Locator => referrers(page).locator(`[data-testid="referrer-row"][data-digest="${digest}"]`);

async function openRow(page: Page, digest: string): Promise<Locator> {
  const r = row(page, digest);
  await r.getByTestId("referrer-toggle").click();
  await expect(r.getByTestId("artifact")).toBeVisible();
  return r;
}

/** The one layer blob of an opened artifact, once fetched and checked. */
function layerBlob(scope: Locator, digest: string): Locator {
  return scope.locator(`[data-testid="artifact-blob"][data-digest="${digest}"]`);
}

test("the real registry (no referrers API): listed through the sha256-<hex> tag", async ({ page }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.repository, f.tag));
  const list = referrers(page);
  await expect(list.getByTestId("referrers-source")).toHaveAttribute("data-source", "tag-schema");
  await expect(list.getByTestId("referrers-source")).toContainText(f.fallbackTag);
  await expect(list.getByTestId("referrer-row")).toHaveCount(4);
  await expect(row(page, f.artifacts.signature.manifestDigest).getByTestId("referrer-name")).toHaveText("cosign signature");
  await expect(row(page, f.artifacts.sbom.manifestDigest).getByTestId("referrer-name")).toHaveText("SPDX SBOM");
  await expect(row(page, f.artifacts.text.manifestDigest)).toContainText(f.artifacts.text.artifactType);
  await expect(row(page, f.artifacts.sbom.manifestDigest).getByTestId("referrer-created")).toContainText("2025-03-01T12:00:00Z");

  // Filtering on the fallback is done here: the tag's index is the whole list.
  await list.getByTestId("referrer-filter").selectOption(f.artifacts.sbom.artifactType);
  await expect(list.getByTestId("referrers-filter-applied")).toHaveAttribute("data-applied-by", "client");
  await expect(list.getByTestId("referrer-row")).toHaveCount(1);
  await expect(list.getByTestId("referrer-row")).toHaveAttribute("data-digest", f.artifacts.sbom.manifestDigest);
});

test("a registry with the referrers API: listed by the API over two pages, filtered by the registry", async ({ page, request }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.referrers, f.repository, f.tag));
  const list = referrers(page);
  await expect(list.getByTestId("referrers-source")).toHaveAttribute("data-source", "api");
  await expect(list.getByTestId("referrers-source")).toContainText("2 pages");
  await expect(list.getByTestId("referrer-row")).toHaveCount(4);

  await list.getByTestId("referrer-filter").selectOption(f.artifacts.signature.artifactType);
  await expect(list.getByTestId("referrers-filter-applied")).toHaveAttribute("data-applied-by", "registry");
  await expect(list.getByTestId("referrer-row")).toHaveCount(1);
  await expect(list.getByTestId("referrer-row")).toHaveAttribute("data-digest", f.artifacts.signature.manifestDigest);

  // The registry side saw the filter, spelled as the spec says (through the proxy's re-encoding).
  const seen = (await (await request.get(`http://${hosts.referrers}/__referrers`)).json()) as { artifactType: string | null }[];
  expect(seen.map((s) => s.artifactType)).toContain(f.artifacts.signature.artifactType);
});

test("each artifact opens: its manifest, then its blobs verified and shown as JSON, text or hex", async ({ page }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.repository, f.tag));
  await expect(referrers(page).getByTestId("referrer-row")).toHaveCount(4);

  // Signature: a JSON payload as a collapsible tree, and as pretty-printed text.
  const sig = await openRow(page, f.artifacts.signature.manifestDigest);
  await expect(sig.getByTestId("artifact-type")).toHaveAttribute("data-type", f.artifacts.signature.artifactType);
  await expect(sig.getByTestId("artifact-verification")).toContainText("verified");
  await expect(sig.getByTestId("artifact-subject")).toContainText(f.subject);
  const sigBlob = layerBlob(sig, f.artifacts.signature.layerDigest);
  await expect(sigBlob.getByTestId("blob-state")).toHaveAttribute("data-state", "verified");
  await expect(sigBlob.getByTestId("blob-content")).toHaveAttribute("data-view", "json");
  await expect(sigBlob.getByTestId("json-tree")).toContainText("docker-manifest-digest");
  await expect(sigBlob.getByTestId("json-tree")).toContainText(f.content.signatureImage);
  // Collapsing the top object hides its keys.
  await sigBlob.getByTestId("json-tree").locator("summary").first().click();
  await expect(sigBlob.getByTestId("json-tree").getByText('"critical"')).toBeHidden();
  await sigBlob.getByTestId("json-raw-toggle").click();
  await expect(sigBlob.getByTestId("json-pretty")).toContainText(`"docker-manifest-digest": "${f.content.signatureImage}"`);
  // The empty config is a blob too, verified like the rest.
  await expect(sig.locator('[data-testid="artifact-blob"][data-role="config"] [data-testid="blob-state"]')).toHaveAttribute("data-state", "verified");

  // SBOM: SPDX JSON.
  const sbom = await openRow(page, f.artifacts.sbom.manifestDigest);
  const sbomBlob = layerBlob(sbom, f.artifacts.sbom.layerDigest);
  await expect(sbomBlob.getByTestId("blob-content")).toHaveAttribute("data-view", "json");
  await expect(sbomBlob.getByTestId("json-tree")).toContainText(f.content.sbomName);

  // Text: shown literally (the HTML in it is not rendered).
  const note = await openRow(page, f.artifacts.text.manifestDigest);
  const noteBlob = layerBlob(note, f.artifacts.text.layerDigest);
  await expect(noteBlob.getByTestId("blob-state")).toHaveAttribute("data-state", "verified");
  await expect(noteBlob.getByTestId("blob-text")).toContainText(f.content.text);
  await expect(noteBlob.locator("b")).toHaveCount(0);
  // The verified bytes download as a file (named by the layer's title annotation), never rendered.
  const [download] = await Promise.all([page.waitForEvent("download"), noteBlob.getByRole("button", { name: "Download" }).click()]);
  expect(download.suggestedFilename()).toBe("vnd.layerscope.note.v1.out");
  expect(readFileSync(await download.path(), "utf8")).toContain(f.content.text);

  // Binary: a hex dump.
  const bin = await openRow(page, f.artifacts.binary.manifestDigest);
  const binBlob = layerBlob(bin, f.artifacts.binary.layerDigest);
  await expect(binBlob.getByTestId("blob-state")).toHaveAttribute("data-state", "verified");
  await expect(binBlob.getByTestId("hex-dump")).toContainText(`00000000  ${f.content.binaryHex}`);
  await expect(binBlob.getByTestId("hex-dump")).toContainText("00000120");

  // For a person to look at (a viewport shot: cheap even on a busy machine).
  await referrers(page).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/referrers-card.png" });
});

test("a blob the registry serves damaged is a digest mismatch, its content not shown", async ({ page }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.tampered.repository, f.tampered.tag));
  const r = await openRow(page, f.tampered.artifact.manifestDigest);
  const blob = layerBlob(r, f.tampered.artifact.layerDigest);
  await expect(blob.getByTestId("blob-state")).toHaveAttribute("data-state", "error");
  await expect(blob.getByTestId("blob-state")).toHaveAttribute("data-kind", "digest-mismatch");
  await expect(blob).toContainText("does not match its digest");
  await expect(blob.getByTestId("blob-content")).toHaveCount(0);
});

test("a blob above the display cap is offered as a download only, streamed from the registry", async ({ page, request }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.tampered.repository, f.tampered.tag));
  const r = await openRow(page, f.tampered.big.manifestDigest);
  const blob = layerBlob(r, f.tampered.big.layerDigest);
  await expect(blob.getByTestId("blob-too-large")).toBeVisible();
  await expect(blob.getByTestId("blob-content")).toHaveCount(0);
  const href = await blob.getByTestId("blob-too-large").getByRole("link", { name: "Download" }).getAttribute("href");
  expect(href).toBe(`/registry/${hosts.open}/v2/${f.tampered.repository}/blobs/${f.tampered.big.layerDigest}`);
  const res = await request.get(href!);
  expect(res.status()).toBe(200);
  expect((await res.body()).byteLength).toBe(f.tampered.big.layerSize);
});

test("an image with no referrers says so, through the fallback and through the API", async ({ page }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.none.repository, f.none.tag));
  await expect(referrers(page).getByTestId("referrers-empty")).toBeVisible();
  await expect(referrers(page).getByTestId("referrers-source")).toContainText("not present");

  await openReference(page, ref(hosts.referrers, f.none.repository, f.none.tag));
  await expect(referrers(page).getByTestId("referrers-source")).toHaveAttribute("data-source", "api");
  await expect(referrers(page).getByTestId("referrers-empty")).toBeVisible();
});

test("a reference naming an artifact opens as the artifact, not as an error", async ({ page }) => {
  const { hosts, referrers: f } = state();
  await openReference(page, ref(hosts.open, f.repository, f.artifacts.sbom.manifestDigest));
  const artifact = page.getByTestId("artifact");
  await expect(artifact).toBeVisible();
  await expect(page.getByTestId("error")).toHaveCount(0);
  await expect(artifact.getByTestId("artifact-type")).toHaveAttribute("data-type", f.artifacts.sbom.artifactType);
  await expect(artifact.getByTestId("artifact-verification")).toContainText("verified");
  await expect(layerBlob(artifact, f.artifacts.sbom.layerDigest).getByTestId("json-tree")).toContainText(f.content.sbomName);
  await page.screenshot({ path: "test-results/referrers-artifact-page.png", fullPage: true });

  // Its subject link leads back to the image.
  await artifact.getByTestId("artifact-subject").getByRole("link").click();
  await expect(page.getByTestId("manifest-digest")).toContainText(f.subject);
});

test("BuildKit attestations inside an index are listed with the image they attest, and open as artifacts", async ({ page }) => {
  const { hosts, images } = state();
  const multi = images.multi;
  await openDeepLink(page, ref(hosts.open, multi.repository, multi.tag), "linux/amd64");
  const att = page.getByTestId("buildkit-attestations");
  await expect(att.getByTestId("buildkit-attestation")).toHaveAttribute("data-digest", multi.attestation.manifestDigest);
  await att.getByRole("button", { name: /attestation-manifest/ }).click();
  const blob = att.locator('[data-testid="artifact-blob"][data-role="layer"]');
  await expect(blob.getByTestId("blob-state")).toHaveAttribute("data-state", "verified");
  await expect(blob.getByTestId("json-tree")).toContainText("https://in-toto.io/Statement/v0.1");
  // The index itself has its own (empty) referrers list.
  await expect(page.getByTestId("index-referrer-list").getByTestId("referrers-empty")).toBeVisible();
});

test("the offline sample: no referrers in its virtual registry, its BuildKit attestation listed for the chosen platform", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("open-sample").click();
  const card = page.getByTestId("referrers");
  await expect(card.getByTestId("referrer-list").getByTestId("referrers-empty")).toBeVisible();
  await expect(card.getByTestId("referrer-list").getByTestId("referrers-source")).toHaveAttribute("data-source", "tag-schema");
  await expect(card.getByTestId("buildkit-attestation")).toHaveCount(1);
  await page.getByTestId("section-nav").getByRole("link", { name: "Referrers" }).click();
  await expect(card).toBeInViewport();
  await page.screenshot({ path: "test-results/referrers-sample.png" });
});
