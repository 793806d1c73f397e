import { describe, expect, it } from "vitest";
import { keepNewest, sameElements } from "./collections";

describe("sameElements", () => {
  const x = {};
  it.each([
    { a: [], b: [], same: true },
    { a: [x, 1], b: [x, 1], same: true },
    { a: [x], b: [{}], same: false },
    { a: [1, 2], b: [1], same: false },
  ])("$a / $b → $same", ({ a, b, same }) => expect(sameElements<unknown>(a, b)).toBe(same));
});

describe("keepNewest", () => {
  it.each([
    { keys: [], max: 2, left: [] },
    { keys: ["a", "b"], max: 2, left: ["a", "b"] },
    { keys: ["a", "b", "c", "d"], max: 2, left: ["c", "d"] },
    { keys: ["a", "b"], max: 0, left: [] },
  ])("$keys, at most $max → $left", ({ keys, max, left }) => {
    const map = new Map(keys.map((k) => [k, k.toUpperCase()]));
    keepNewest(map, max);
    expect([...map.keys()]).toEqual(left);
  });
});
