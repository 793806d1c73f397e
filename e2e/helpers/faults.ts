/**
 * The fault front's control API (e2e/setup/fault-front.ts), and the checks every fault test
 * ends with: the page threw nothing and still works.
 */
import { expect, type Page } from "@playwright/test";
import type { FaultReport, FaultRule, FaultTotals } from "../setup/fault-front";
import { state } from "./state";

export type { FaultReport, FaultRequestRecord, FaultRule, FaultTotals } from "../setup/fault-front";

export interface Faults {
  readonly id: string;
  /** `<front>/x/<id>/<repository>`: the repository as the page and the command line name it. */
  repo(repository: string): string;
  /** `<front>/x/<id>/<repository>:<tag or @digest>`. */
  ref(repository: string, tagOrDigest: string): string;
  report(): Promise<FaultReport>;
}

/** Registers `rules` under a fresh id on the fault front (none: the id only counts what passes). */
export async function injectFaults(...rules: FaultRule[]): Promise<Faults> {
  const front = state().hosts.faults;
  const res = await fetch(`http://${front}/__faults`, { method: "POST", body: JSON.stringify({ rules }) });
  expect(res.status).toBe(200);
  const { id } = (await res.json()) as { id: string };
  const repo = (repository: string): string => `x/${id}/${repository}`;
  return {
    id,
    repo,
    ref: (repository, t) => (t.startsWith("sha256:") ? `${front}/${repo(repository)}@${t}` : `${front}/${repo(repository)}:${t}`),
    report: async () => (await (await fetch(`http://${front}/__faults/${id}`)).json()) as FaultReport,
  };
}

export async function faultTotals(): Promise<FaultTotals> {
  return (await (await fetch(`http://${state().hosts.faults}/__faults`)).json()) as FaultTotals;
}

/** Collects uncaught page errors from now on; `expectHealthy` then checks none came and the page still navigates. */
export function watchPage(page: Page): { expectHealthy(): Promise<void> } {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return {
    async expectHealthy() {
      expect(errors, "uncaught errors in the page").toEqual([]);
      await page.goto("/");
      await expect(page.getByTestId("ref-input")).toBeVisible();
    },
  };
}
