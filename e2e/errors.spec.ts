/** Each failure shows its own error (data-kind = the LayerscopeError kind) with words a user can act on. */
import { expect, test } from "@playwright/test";
import { state, ref } from "./helpers/state";
import { countRegistryRequests, expectError, openReference } from "./helpers/ui";

test("bad reference: refused in the page, nothing fetched", async ({ page }) => {
  const registry = countRegistryRequests(page);
  await openReference(page, "Not A Reference!");
  await expectError(page, "bad-reference");
  expect(registry.count).toBe(0);
});

test("not found: an unknown tag", async ({ page }) => {
  const { hosts, images } = state();
  await openReference(page, ref(hosts.open, images.docker.repository, "no-such-tag"));
  await expectError(page, "not-found");
  // Private repositories often answer "not found" too, so the way to give credentials is offered.
  await expect(page.getByTestId("credentials-form")).toBeVisible();
});

test("rate limited: a visible countdown, then the rate-limited error (SECURITY R4)", async ({ page }) => {
  // Retry-After is 3 s; a few bounded retries fit in this.
  test.setTimeout(60_000);
  const { hosts, repos } = state();
  await openReference(page, ref(hosts.redirect, repos.rateLimited, "v1"));
  const countdown = page.getByTestId("retry-countdown");
  await expect(countdown).toBeVisible();
  await expect(countdown).toContainText(/\d/);
  // Retries are bounded: the error stays (or ends) as rate-limited, never a loop without end.
  await expectError(page, "rate-limited", 40_000);
});

test("unreachable: an allowed host where nothing listens", async ({ page }) => {
  const { hosts } = state();
  await openReference(page, ref(hosts.closed, "e2e/anything", "v1"));
  // The app may retry a refused connection once or twice before giving up.
  await expectError(page, "unreachable", 20_000);
});

test("destination not allowed: a private address is refused by the proxy", async ({ page }) => {
  await openReference(page, "10.0.0.1:5000/e2e/anything:v1");
  await expectError(page, "destination-not-allowed");
  await expect(page.getByTestId("error").first()).toContainText(/not allowed/i);
});

test("not a registry: a web page answers the API path (SECURITY R11)", async ({ page }) => {
  const { hosts, repos } = state();
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openReference(page, ref(hosts.redirect, repos.html, "v1"));
  await expectError(page, "not-a-registry");
  expect(dialogs, "the page's <script>alert(1)</script> must not run").toBe(0);
});

test("digest mismatch: a manifest whose bytes do not hash to the digest asked for (SECURITY R6)", async ({ page }) => {
  const { hosts, repos, images } = state();
  const digest = images.docker.manifestDigest;
  await openReference(page, ref(hosts.redirect, repos.tampered, digest));
  await expectError(page, "digest-mismatch");
  await expect(page.getByTestId("error").first()).toContainText(digest);
  await expect(page.getByTestId("image-id")).toHaveCount(0);
});

test("history and layer counts that disagree are shown, not hidden (SECURITY D4)", async ({ page }) => {
  const { hosts, images } = state();
  const img = images.mismatch;
  await openReference(page, ref(hosts.open, img.repository, img.tag));
  await expect(page.getByTestId("layer-count-problem")).toBeVisible();
  // The image is still shown beside the problem.
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(page.getByTestId("history-row")).toHaveCount(img.historyCount);
});
