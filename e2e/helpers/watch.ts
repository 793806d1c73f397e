/**
 * What the hardening specs watch while hostile content is on screen (SECURITY U1–U5): that no
 * script ran and nothing went anywhere.
 *
 * - Dialogs: any alert/confirm/prompt is recorded (and dismissed).
 * - CSP violations: a `securitypolicyviolation` listener is installed by an init script, before
 *   any of the app's code runs, on every document of the page; each worker gets one as soon as it
 *   starts, and Chromium's own console lines about the policy ("Refused to …", "Content Security
 *   Policy") are collected from the page and from every worker.
 * - Navigations: every main-frame navigation and popup (the app's own same-origin history
 *   changes included: specs compare the URLs, not only the count).
 * - Page errors (uncaught exceptions).
 */
import type { Page } from "@playwright/test";

export interface Watch {
  readonly dialogs: string[];
  readonly violations: string[];
  readonly navigations: string[];
  readonly popups: string[];
  readonly pageErrors: string[];
}

const POLICY_TEXT = /Content.Security.Policy|Refused to (load|execute|evaluate|compile|connect|create|apply|frame)/i;

/** Call before the first `goto`. */
export async function watchPage(page: Page): Promise<Watch> {
  const w: Watch = { dialogs: [], violations: [], navigations: [], popups: [], pageErrors: [] };
  page.on("dialog", (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  await page.exposeBinding("__layerscopeViolation", (_source, text: string) => {
    w.violations.push(text);
  });
  await page.addInitScript(() => {
    const report = (e: SecurityPolicyViolationEvent): void => {
      const f = (window as unknown as { __layerscopeViolation?: (t: string) => void }).__layerscopeViolation;
      f?.(`document: ${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber}`);
    };
    document.addEventListener("securitypolicyviolation", report, true);
  });
  page.on("console", (m) => {
    if (POLICY_TEXT.test(m.text())) w.violations.push(`console: ${m.text()}`);
  });
  page.on("worker", (worker) => {
    worker.on("console", (m) => {
      if (POLICY_TEXT.test(m.text()) || m.text().startsWith("securitypolicyviolation")) w.violations.push(`worker ${worker.url()}: ${m.text()}`);
    });
    void worker
      .evaluate(() => {
        self.addEventListener("securitypolicyviolation", (e) => {
          console.error(`securitypolicyviolation ${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"}`);
        });
      })
      .catch(() => undefined); // a worker that already ended
  });
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) w.navigations.push(f.url());
  });
  page.on("popup", (p) => w.popups.push(p.url()));
  page.on("pageerror", (e) => w.pageErrors.push(e.message));
  return w;
}

/** Elements an injection would have created: inline or foreign scripts, HTML-born images, frames, handlers. */
export async function injectedElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const s of Array.from(document.querySelectorAll("script"))) {
      if (!s.src || new URL(s.src).origin !== location.origin) found.push(`script ${s.src || s.textContent?.slice(0, 40)}`);
    }
    for (const el of Array.from(document.querySelectorAll("iframe, object, embed, frame"))) found.push(el.tagName.toLowerCase());
    for (const img of Array.from(document.querySelectorAll("img"))) {
      const src = img.getAttribute("src") ?? "";
      if (!/^(blob:|data:image\/|\/)/.test(src) && !src.startsWith(location.origin)) found.push(`img ${src}`);
    }
    for (const el of Array.from(document.querySelectorAll("*"))) {
      for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) found.push(`${el.tagName.toLowerCase()}[${a.name}]`);
    }
    for (const a of Array.from(document.querySelectorAll("a[href]"))) {
      const href = a.getAttribute("href") ?? "";
      if (/^\s*(javascript|data|vbscript):/i.test(href)) found.push(`a ${href.slice(0, 40)}`);
    }
    return found;
  });
}

/** True when the page itself scrolls sideways (a long value broke the layout). */
export async function overflowsHorizontally(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}
