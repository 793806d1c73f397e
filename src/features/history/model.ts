/**
 * What the history panel shows, derived from a path's history (core/history): words for each
 * event, which versions have contents to compare, and the default pair of versions to diff.
 * Pure functions, no React.
 */
import type { PathVersion } from "../../core/filetree";
import type { HistoryEvent, PathHistory, VersionChange } from "../../core/history";

/** Types whose body a reader can give (a hardlink shares its target's body). */
const CONTENT_TYPES: ReadonlySet<PathVersion["type"]> = new Set(["file", "contiguous", "hardlink"]);

/** True when this event produced a version with contents to diff (not a removal, not a directory). */
export function hasContents(e: HistoryEvent): boolean {
  return !e.implied && e.marker === undefined && CONTENT_TYPES.has(e.version.type);
}

const CHANGE_WORDS: Readonly<Record<VersionChange, string>> = {
  type: "type",
  size: "size",
  mode: "mode",
  owner: "owner",
  mtime: "mtime",
  link: "link target",
};

/** The event in a few words: "changed (size, mode)", "whited out by etc/.wh.app", … */
export function eventTitle(e: HistoryEvent): string {
  switch (e.kind) {
    case "added":
      return e.implied ? "added (implied directory)" : "added";
    case "re-added":
      return "re-added";
    case "changed":
      return e.changes && e.changes.length > 0 ? `changed: ${e.changes.map((c) => CHANGE_WORDS[c]).join(", ")}` : "rewritten, same metadata";
    case "replaced":
      return `replaced ${e.previous ? kindWord(e.previous) : ""} → ${e.implied ? "directory (implied by deeper paths)" : kindWord(e.version)}`.replace("  ", " ");
    case "implied":
      return "directory implied by deeper paths";
    case "whited-out":
      return "whited out";
    case "parent-whited-out":
      return "removed: a parent was whited out";
    case "opaque":
      return "removed: opaque marker of a parent";
    case "parent-replaced":
      return "removed: a parent became a non-directory";
  }
}

/** A longer sentence for the row's detail line. */
export function eventDetail(e: HistoryEvent): string | undefined {
  if (e.kind === "changed" && e.changes?.length === 0) return "Same type, size, mode, owner and mtime; the contents may still differ.";
  if (e.marker === undefined) return e.entriesInLayer !== undefined ? `This layer has ${e.entriesInLayer} entries at this path; the last one wins.` : undefined;
  const target = e.markerTarget ?? "";
  switch (e.kind) {
    case "whited-out":
      return `The whiteout "${e.marker}" hides this path in every lower layer.`;
    case "parent-whited-out":
      return `The whiteout "${e.marker}" hides "${target}" and everything under it.`;
    case "opaque":
      return `The opaque marker "${e.marker}" hides the lower contents of "${target === "" ? "/" : target}".`;
    case "parent-replaced":
      return `This layer writes "${e.marker}" as a non-directory, which removes everything that was under it.`;
    default:
      return undefined;
  }
}

/** "file", "directory", "symlink"… */
export function kindWord(v: PathVersion): string {
  return v.type === "dir" ? "directory" : v.type === "hardlink" ? "hard link" : v.type;
}

/** Tone of the kind badge. */
export function eventTone(e: HistoryEvent): "good" | "info" | "warn" | "bad" {
  if (e.marker !== undefined) return "bad";
  if (e.kind === "added" || e.kind === "re-added") return "good";
  if (e.kind === "replaced") return "warn";
  return "info";
}

/** A pair of events (indexes into history.events) to diff: `a` the older, `b` the newer. */
export interface DiffPair {
  readonly a: number;
  readonly b: number;
}

/** The content version before event `i` (the one a "diff with previous" compares against), or undefined. */
export function previousContent(history: PathHistory, i: number): number | undefined {
  for (let j = i - 1; j >= 0; j--) if (hasContents(history.events[j] as HistoryEvent)) return j;
  return undefined;
}

/**
 * The diff shown first: the visible version (or the last version with contents) against the
 * content version before it. Undefined when fewer than two versions have contents.
 */
export function defaultPair(history: PathHistory): DiffPair | undefined {
  const events = history.events;
  let b = events.findIndex((e) => e.visible && hasContents(e));
  if (b < 0) {
    for (let i = events.length - 1; i >= 0; i--) {
      if (hasContents(events[i] as HistoryEvent)) {
        b = i;
        break;
      }
    }
  }
  if (b < 0) return undefined;
  const a = previousContent(history, b);
  return a === undefined ? undefined : { a, b };
}

/** "2024-01-01T00:00:00Z" for an mtime in seconds (fractional allowed), or the number when out of range. */
export function formatMtime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString().replace(".000Z", "Z");
}
