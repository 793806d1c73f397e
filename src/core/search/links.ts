/**
 * Following links inside an image's merged filesystem, the way the kernel's path walk would in
 * a container whose root is the image (path_resolution(7)), without touching any body: only the
 * merged index is read, so a hostile image can make it fail but never hang (SECURITY T3).
 *
 * - A relative target is resolved against the link's own directory, an absolute one from the
 *   root. ".." at the root stays at the root (as in a chroot: nothing escapes).
 * - Symlinks met on the way — in the middle of the path or at its end — are followed, at most
 *   {@link MAX_SYMLINK_HOPS} of them (Linux's MAXSYMLINKS is 40); a state seen twice is a loop.
 * - A component that is missing, or that is not a directory while more components follow,
 *   makes the link broken, with the reason in words.
 */
import type { EntryType } from "../pipeline/types";

/** Linux's MAXSYMLINKS: a walk through more symlinks than this fails with ELOOP. */
export const MAX_SYMLINK_HOPS = 40;

/** What the walk needs to know about a path: its type, and a symlink's target. */
export interface LinkNode {
  readonly type: EntryType;
  readonly linkname?: string;
}

/** Looks up a normalised path ("" is the root, no leading "/"). */
export type LinkLookup = (path: string) => LinkNode | undefined;

export type LinkResolution =
  | { readonly ok: true; readonly path: string; readonly hops: number }
  | { readonly ok: false; readonly reason: "missing" | "not-a-directory" | "loop" | "too-many-hops" | "no-target"; readonly at: string; readonly message: string };

const split = (p: string): string[] => p.split("/");
const parentParts = (path: string): string[] => {
  const parts = path === "" ? [] : split(path);
  parts.pop();
  return parts;
};

/**
 * Resolves symlink `linkPath` (whose target is `linkname`) to the final path it names, following
 * every symlink on the way. Paths are normalised merged paths (no leading "/").
 */
export function resolveSymlink(lookup: LinkLookup, linkPath: string, linkname: string | undefined, maxHops = MAX_SYMLINK_HOPS): LinkResolution {
  if (linkname === undefined || linkname === "") return { ok: false, reason: "no-target", at: linkPath, message: "the link has no target" };
  // `base` is the resolved directory so far; `todo` the components still to walk, in order.
  let base = linkname.startsWith("/") ? [] : parentParts(linkPath);
  let todo = split(linkname);
  let hops = 1;
  const seen = new Set<string>([`${linkPath}\u0000${linkname}`]);
  while (todo.length > 0) {
    const part = todo.shift() ?? "";
    if (part === "" || part === ".") continue;
    if (part === "..") {
      base.pop(); // at the root, ".." is the root
      continue;
    }
    const path = [...base, part].join("/");
    const node = lookup(path);
    if (!node) return { ok: false, reason: "missing", at: path, message: `/${path} does not exist` };
    if (node.type === "symlink") {
      const key = `${path}\u0000${todo.join("/")}`;
      if (seen.has(key)) return { ok: false, reason: "loop", at: path, message: `symlink loop: the chain comes back to /${path}` };
      seen.add(key);
      if (++hops > maxHops) return { ok: false, reason: "too-many-hops", at: path, message: `more than ${maxHops} symlinks in a chain (the kernel gives up here too)` };
      const target = node.linkname ?? "";
      if (target === "") return { ok: false, reason: "no-target", at: path, message: `/${path} is a symlink with no target` };
      if (target.startsWith("/")) base = [];
      todo = [...split(target), ...todo];
      continue;
    }
    if (node.type !== "dir" && todo.some((p) => p !== "" && p !== ".")) {
      return { ok: false, reason: "not-a-directory", at: path, message: `/${path} is not a directory` };
    }
    base.push(part);
  }
  return { ok: true, path: base.join("/"), hops };
}
