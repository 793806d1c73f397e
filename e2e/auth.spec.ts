/** Private repositories: Basic (htpasswd) and Bearer (token server) registries, credentials form (SECURITY R1, R2). */
import { expect, test, type Page } from "@playwright/test";
import { state, ref } from "./helpers/state";
import { expectImage, openReference } from "./helpers/ui";

async function logIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.getByTestId("credentials-form");
  await expect(form).toBeVisible();
  await form.locator("input[name=username]").fill(username);
  await form.locator("input[name=password]").fill(password);
  await form.locator("button[type=submit]").click();
}

/** Private repositories answer 401 (or 404 on some registries): either kind is right. */
async function expectNeedsCredentials(page: Page): Promise<void> {
  const error = page.getByTestId("error").first();
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-kind", /^(unauthorized|not-found)$/);
  await expect(page.getByTestId("credentials-form")).toBeVisible();
}

test("BASIC: a private image needs credentials; a wrong password is refused, the right one opens it", async ({ page }) => {
  const { hosts, images, repos, credentials } = state();
  await openReference(page, ref(hosts.basic, repos.basicPrivate, "v1"));
  await expectNeedsCredentials(page);

  await logIn(page, credentials.username, "not-the-password");
  const refused = page.locator('[data-testid="error"][data-kind="unauthorized"]').first();
  await expect(refused).toBeVisible();
  await expect(refused).toContainText(/refused/i); // describeError: "Credentials refused"

  await logIn(page, credentials.username, credentials.password);
  await expect(page.getByTestId("manifest-digest")).toContainText(images.docker.manifestDigest);
  await expectImage(page, images.docker);
  await expect(page.getByTestId("credentials-form")).toHaveCount(0);
  // The password is never put in the URL.
  expect(page.url()).not.toContain(credentials.password);
});

test("TOKEN: a public repository opens anonymously", async ({ page }) => {
  const { hosts, images, repos } = state();
  await openReference(page, ref(hosts.token, repos.tokenPublic, "v1"));
  await expect(page.getByTestId("manifest-digest")).toContainText(images.docker.manifestDigest);
  await expect(page.getByTestId("image-id")).toContainText(images.docker.configDigest);
  await expect(page.getByTestId("credentials-form")).toHaveCount(0);
});

test("TOKEN: a private repository opens after logging in", async ({ page }) => {
  const { hosts, images, repos, credentials } = state();
  await openReference(page, ref(hosts.token, repos.tokenPrivate, "v1"));
  await expectNeedsCredentials(page);
  await logIn(page, credentials.username, credentials.password);
  await expect(page.getByTestId("manifest-digest")).toContainText(images.docker.manifestDigest);
  await expect(page.getByTestId("image-id")).toContainText(images.docker.configDigest);
});

test("REDIRECT: behind credentials, blobs come from the CDN without them (SECURITY P5)", async ({ page, request }) => {
  const { hosts, images, repos, credentials } = state();
  const img = images.docker;
  await openReference(page, ref(hosts.redirect, `${repos.redirectAuthPrefix}${img.repository}`, img.tag));
  await expectNeedsCredentials(page);
  await logIn(page, credentials.username, credentials.password);
  // The config is a blob: the front sent it as a 307 to the CDN.
  await expect(page.getByTestId("image-id")).toContainText(img.configDigest);
  await expect(page.getByTestId("config-verification")).toContainText(/verified/i);

  const seen = (await (await request.get(`http://${hosts.cdn}/__seen`)).json()) as { requests: { path: string; headers: Record<string, string> }[] };
  const ours = seen.requests.filter((r) => r.path.endsWith(`/${img.configDigest}`));
  expect(ours.length).toBeGreaterThan(0);
  for (const r of ours) {
    expect(r.headers["authorization"]).toBeUndefined();
    expect(r.headers["cookie"]).toBeUndefined();
  }
});
