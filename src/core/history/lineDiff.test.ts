import { describe, expect, it } from "vitest";
import { diffLines, looksBinary, sideBySide, splitLines, unifiedText } from "./lineDiff";
import { diffContents } from "./contentDiff";

const diff = (a: string, b: string, opts = {}) => diffLines(splitLines(a), splitLines(b), opts);

interface Case {
  readonly name: string;
  readonly old: string;
  readonly new: string;
  /** GNU `diff -u` hunks (checked by hand against diffutils 3.x output). */
  readonly unified: string;
  readonly added: number;
  readonly removed: number;
}

const cases: Case[] = [
  { name: "identical", old: "a\nb\n", new: "a\nb\n", unified: "", added: 0, removed: 0 },
  { name: "both empty", old: "", new: "", unified: "", added: 0, removed: 0 },
  { name: "empty → text", old: "", new: "a\nb\n", unified: "@@ -0,0 +1,2 @@\n+a\n+b", added: 2, removed: 0 },
  { name: "text → empty", old: "a\n", new: "", unified: "@@ -1 +0,0 @@\n-a", added: 0, removed: 1 },
  { name: "one line changed", old: "a\nb\nc\n", new: "a\nB\nc\n", unified: "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c", added: 1, removed: 1 },
  {
    name: "no trailing newline added",
    old: "a\nb",
    new: "a\nb\n",
    unified: "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b",
    added: 1,
    removed: 1,
  },
  {
    name: "no trailing newline on both, last line changed",
    old: "x\ny",
    new: "x\nz",
    unified: "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file",
    added: 1,
    removed: 1,
  },
  { name: "CRLF → LF: every line differs", old: "a\r\nb\r\n", new: "a\nb\n", unified: "@@ -1,2 +1,2 @@\n-a\r\n-b\r\n+a\n+b", added: 2, removed: 2 },
  {
    name: "far-apart changes make two hunks with 3 lines of context",
    old: "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
    new: "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\nELEVEN\n12\n",
    unified: "@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+ELEVEN\n 12",
    added: 2,
    removed: 2,
  },
  {
    name: "close changes share a hunk",
    old: "1\n2\n3\n4\n5\n6\n7\n",
    new: "1\nX\n3\n4\n5\nY\n7\n",
    unified: "@@ -1,7 +1,7 @@\n 1\n-2\n+X\n 3\n 4\n 5\n-6\n+Y\n 7",
    added: 2,
    removed: 2,
  },
  {
    name: "insertion in the middle (minimal: no spurious deletions)",
    old: "a\nb\nc\nd\n",
    new: "a\nb\nnew\nc\nd\n",
    unified: "@@ -1,4 +1,5 @@\n a\n b\n+new\n c\n d",
    added: 1,
    removed: 0,
  },
  { name: "a line named __proto__", old: "__proto__\n", new: "constructor\n", unified: "@@ -1 +1 @@\n-__proto__\n+constructor", added: 1, removed: 1 },
];

describe("diffLines", () => {
  it.each(cases)("$name", (c) => {
    const d = diff(c.old, c.new);
    expect(unifiedText(d)).toBe(c.unified);
    expect([d.added, d.removed]).toEqual([c.added, c.removed]);
    expect(d.identical).toBe(c.added === 0 && c.removed === 0);
    expect(d.cut).toEqual([]);
    expect(d.coarse).toBe(false);
  });

  it("finds a minimal script (Myers): the classic ABCABBA → CBABAC has 5 edits", () => {
    const d = diff("A\nB\nC\nA\nB\nB\nA\n", "C\nB\nA\nB\nA\nC\n");
    expect(d.added + d.removed).toBe(5);
  });

  it("applies: the script rebuilds the new text from the old (random edits)", () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: rnd(30) }, () => String.fromCharCode(97 + rnd(4)));
      const b = a.filter(() => rnd(5) > 0).flatMap((x) => (rnd(6) === 0 ? [x, "n"] : [x]));
      const d = diffLines({ lines: a, noFinalNewline: false }, { lines: b, noFinalNewline: false }, { context: 1000 });
      const rebuilt = d.hunks.flatMap((h) => h.lines.filter((l) => l.kind !== "del").map((l) => l.text));
      const old = d.hunks.flatMap((h) => h.lines.filter((l) => l.kind !== "add").map((l) => l.text));
      if (!d.identical) {
        expect(rebuilt).toEqual(b);
        expect(old).toEqual(a);
      }
    }
  });

  it("cuts large inputs at maxLines and says so", () => {
    const big = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const d = diff(big, big.replace("line 3\n", "LINE 3\n"), { maxLines: 10 });
    expect(d.cut).toEqual(["the old version has 50 lines; only the first 10 are compared", "the new version has 50 lines; only the first 10 are compared"]);
    expect(unifiedText(d)).toContain("-line 3\n+LINE 3");
  });

  it("past the edit cap shows the middle as one block replaced by another (still a correct diff)", () => {
    const a = Array.from({ length: 300 }, (_, i) => `a${i}`).join("\n") + "\n";
    const b = Array.from({ length: 300 }, (_, i) => `b${i}`).join("\n") + "\n";
    const d = diff(`same\n${a}same\n`, `same\n${b}same\n`, { maxEdits: 50 });
    expect(d.coarse).toBe(true);
    expect([d.added, d.removed]).toEqual([300, 300]);
  });

  it("a large input (20 000 lines, 2 changes) is fast", () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `row ${i}`);
    const b = [...a];
    b[100] = "changed";
    b.splice(15_000, 1);
    const d = diffLines({ lines: a, noFinalNewline: false }, { lines: b, noFinalNewline: false });
    expect([d.added, d.removed]).toEqual([1, 2]);
    expect(d.hunks.map((h) => `${h.oldStart},${h.oldLines} ${h.newStart},${h.newLines}`)).toEqual(["98,7 98,7", "14998,7 14998,6"]);
  });
});

describe("sideBySide", () => {
  it("pairs deletions with the additions after them, unchanged lines face each other", () => {
    const [h] = diff("a\nb\nc\nd\n", "a\nB\nC\nX\nd\n").hunks;
    const rows = sideBySide(h!).map((r) => `${r.left ? `${r.left.oldNo}:${r.left.text}` : "-"} | ${r.right ? `${r.right.newNo}:${r.right.text}` : "-"}`);
    expect(rows).toEqual(["1:a | 1:a", "2:b | 2:B", "3:c | 3:C", "- | 4:X", "4:d | 5:d"]);
  });
});

describe("diffContents", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it("binary files differ: sizes and sha256 of each", async () => {
    const a = new Uint8Array([0, 1, 2]);
    const b = new Uint8Array([0, 1, 3, 4]);
    const d = await diffContents({ bytes: a, size: 3, truncated: false }, { bytes: b, size: 4, truncated: false });
    expect(d).toMatchObject({
      kind: "binary",
      identical: false,
      old: { size: 3, sha256: "ae4b3280e56e2faf83f414a6e3dabe9d5fbe18976544c05fed121accb85b53fc", truncated: false },
      new: { size: 4 },
    });
  });
  it("text read in part: the cut is reported", async () => {
    const d = await diffContents({ bytes: enc("a\nb\n"), size: 4, truncated: false }, { bytes: enc("a\nc\n"), size: 9000, truncated: true });
    expect(d.kind).toBe("text");
    if (d.kind === "text") expect(d.cut).toEqual(["the new version is 9,000 bytes; only its first 4 bytes are compared"]);
  });
  it("looksBinary: a NUL within the first 8000 bytes", () => {
    expect(looksBinary(enc("plain text"))).toBe(false);
    const late = new Uint8Array(9000).fill(65);
    late[8500] = 0;
    expect(looksBinary(late)).toBe(false);
    late[10] = 0;
    expect(looksBinary(late)).toBe(true);
  });
});

describe("diffLines with no context", () => {
  it("a pure insertion in the middle starts at the line before it, as GNU diff -U0", () => {
    expect(unifiedText(diff("a\nb\nc\n", "a\nb\nnew\nc\n", { context: 0 }))).toBe("@@ -2,0 +3 @@\n+new");
    expect(unifiedText(diff("a\nb\nc\n", "a\nc\n", { context: 0 }))).toBe("@@ -2 +1,0 @@\n-b");
  });
});

describe("diffLines on large inputs", () => {
  it("2 000 scattered one-line edits stay line by line (patience anchors split the search)", () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `row ${i}`);
    const b = a.map((l, i) => (i % 10 === 0 ? `changed ${i}` : l));
    const d = diffLines({ lines: a, noFinalNewline: false }, { lines: b, noFinalNewline: false });
    expect([d.added, d.removed, d.coarse]).toEqual([2000, 2000, false]);
    // Changes 9 unchanged lines apart (more than 2 × 3 context lines): one hunk each.
    expect(d.hunks).toHaveLength(2000);
  });
});
