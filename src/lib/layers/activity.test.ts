import { describe, expect, it } from "vitest";
import { createLayerActivity } from "./activity";

describe("layer activity", () => {
  it("is idle at once with no run; waits for every run to stop; a release counts once", async () => {
    const a = createLayerActivity();
    await a.whenIdle();
    const one = a.begin();
    const two = a.begin();
    let idle = false;
    const waiting = a.whenIdle().then(() => (idle = true));
    one();
    one();
    await Promise.resolve();
    expect(a.active).toBe(1);
    expect(idle).toBe(false);
    two();
    await waiting;
    expect(idle).toBe(true);
  });

  it("gives up waiting after maxWaitMs, and rejects with an AbortError when aborted", async () => {
    const a = createLayerActivity();
    a.begin();
    await a.whenIdle({ maxWaitMs: 10 });
    const controller = new AbortController();
    const waiting = a.whenIdle({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });
});
