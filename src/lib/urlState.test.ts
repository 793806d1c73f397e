import { describe, expect, it } from "vitest";
import { formatUrlState, parseUrlState } from "./urlState";

describe("URL state", () => {
  const cases: [state: { image?: string; platform?: string }, search: string][] = [
    [{}, ""],
    [{ image: "nginx:1.27" }, "?image=nginx:1.27"],
    [{ image: "ghcr.io/org/app@sha256:abc" }, "?image=ghcr.io/org/app@sha256:abc"],
    [{ image: "[::1]:5000/x", platform: "linux/arm64/v8" }, "?image=%5B::1%5D:5000/x&platform=linux/arm64/v8"],
    [{ image: "a b&c=d#e" }, "?image=a%20b%26c%3Dd%23e"],
    [{ platform: "linux/amd64" }, ""],
  ];
  it.each(cases)("%j ⇄ %s", (state, search) => {
    expect(formatUrlState(state)).toBe(search);
    if (state.image) expect(parseUrlState(search)).toEqual(state);
  });

  it("carries a comparison: compare and its platform, only with an image", () => {
    const state = { image: "nginx:1.27", platform: "linux/amd64", compare: "nginx:1.28", comparePlatform: "linux/arm64" };
    const search = "?image=nginx:1.27&platform=linux/amd64&compare=nginx:1.28&comparePlatform=linux/arm64";
    expect(formatUrlState(state)).toBe(search);
    expect(parseUrlState(search)).toEqual(state);
    expect(formatUrlState({ compare: "nginx:1.28" })).toBe("");
    expect(formatUrlState({ image: "a", comparePlatform: "linux/arm64" })).toBe("?image=a");
    expect(parseUrlState("?image=a&comparePlatform=linux/arm64")).toStrictEqual({ image: "a", platform: undefined });
  });

  it("trims the image and ignores empty values", () => {
    expect(parseUrlState("?image=%20alpine%20&platform=")).toEqual({ image: "alpine", platform: undefined });
    expect(parseUrlState("?image=")).toEqual({ image: undefined, platform: undefined });
  });
});
