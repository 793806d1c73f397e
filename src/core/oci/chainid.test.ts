import { describe, expect, it } from "vitest";
import { chainIds } from "./chainid";

// Vectors computed outside the code under test, with coreutils:
//   A=sha256:$(printf 'layer zero' | sha256sum | cut -c1-64)   (and 'layer one', 'layer two')
//   C1=sha256:$(printf '%s %s' $A $B | sha256sum | cut -c1-64)
//   C2=sha256:$(printf '%s %s' $C1 $C | sha256sum | cut -c1-64)
const A = "sha256:fe441d6673b17f3bb674a3ef8331432bf90a1061ad3bd25e8c0d1354d183eb73";
const B = "sha256:f191e625176e7514249870c60bc24622131b04927a418001d1969c9cecd260f1";
const C = "sha256:77c7ed05b2e49df2e55d70cb007508cc66b2f5419a940bfd6f8749ba7db77c45";
const C1 = "sha256:e86b76bd7457817dc7204071aa7117aa3984dd5fccfcd6a8c36eb304b89de693";
const C2 = "sha256:010d5c3e3c4bc3ec8663cb4799007c28f4b7955b0b2d8abc1e2fbe47e620878b";

describe("chainIds (config.md Layer ChainID)", () => {
  it.each([
    { name: "no layers", diffIds: [], want: [] },
    { name: "one layer: the chain ID is the diff_id", diffIds: [A], want: [A] },
    { name: "two layers", diffIds: [A, B], want: [A, C1] },
    { name: "three layers", diffIds: [A, B, C], want: [A, C1, C2] },
  ])("$name", async ({ diffIds, want }) => {
    expect(await chainIds(diffIds)).toEqual(want);
  });

  it("depends on order: the same diff_ids on another parent give another chain", async () => {
    const [, swapped] = await chainIds([B, A]);
    expect(swapped).not.toBe(C1);
  });

  it("a repeated diff_id still gets a new chain ID per position", async () => {
    const ids = await chainIds([A, A, A]);
    expect(new Set(ids).size).toBe(3);
  });
});
