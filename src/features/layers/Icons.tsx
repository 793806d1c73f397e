import type { LayerEntry } from "../../core/pipeline/types";
import { escapeInvisible } from "../../components/SafeText";

/** A small type icon for a tree row. Unknown typeflags show the flag itself. */
export function EntryIcon({ entry, isDir }: { readonly entry: LayerEntry | undefined; readonly isDir: boolean }) {
  const common = "size-3.5 shrink-0";
  if (entry?.whiteout === "whiteout") {
    return (
      <svg viewBox="0 0 16 16" className={`${common} text-rose-600`} aria-label="whiteout" role="img">
        <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" fill="none" />
      </svg>
    );
  }
  const type = entry?.type ?? "dir";
  if (type === "dir" || (isDir && !entry)) {
    return (
      <svg viewBox="0 0 16 16" className={`${common} text-sky-600`} aria-label="directory" role="img">
        <path d="M1.5 3.5h4.5l1.5 1.5h7v8.5h-13z" fill="currentColor" fillOpacity="0.25" stroke="currentColor" />
      </svg>
    );
  }
  switch (type) {
    case "symlink":
      return (
        <svg viewBox="0 0 16 16" className={`${common} text-violet-600`} aria-label="symbolic link" role="img">
          <path d="M3.5 1.5h6l3 3v10h-9z" fill="none" stroke="currentColor" />
          <path d="M5.5 11.5l4-4M6.5 7.5h3v3" fill="none" stroke="currentColor" strokeWidth="1.3" />
        </svg>
      );
    case "hardlink":
      return (
        <svg viewBox="0 0 16 16" className={`${common} text-teal-700`} aria-label="hard link" role="img">
          <path d="M3.5 1.5h6l3 3v10h-9z" fill="none" stroke="currentColor" />
          <path d="M5.5 8.5h5M5.5 11h5" stroke="currentColor" strokeWidth="1.3" />
        </svg>
      );
    case "char":
    case "block":
      return (
        <svg viewBox="0 0 16 16" className={`${common} text-amber-700`} aria-label={type === "char" ? "character device" : "block device"} role="img">
          <rect x="3.5" y="3.5" width="9" height="9" fill="none" stroke="currentColor" />
          <path d="M6 1v2.5M10 1v2.5M6 12.5V15M10 12.5V15" stroke="currentColor" />
          <text x="8" y="10.5" fontSize="6" textAnchor="middle" fill="currentColor">
            {type === "char" ? "c" : "b"}
          </text>
        </svg>
      );
    case "fifo":
      return (
        <svg viewBox="0 0 16 16" className={`${common} text-amber-700`} aria-label="FIFO" role="img">
          <path d="M2 5.5h12M2 10.5h12" stroke="currentColor" />
          <path d="M5 8h6" stroke="currentColor" strokeDasharray="1.5 1.5" />
        </svg>
      );
    case "unknown":
      return (
        <span
          className="inline-flex h-3.5 min-w-3.5 shrink-0 items-center justify-center rounded-sm bg-rose-100 px-0.5 font-mono text-[9px] font-bold text-rose-800 ring-1 ring-rose-300"
          title={`Unknown typeflag ${escapeInvisible(JSON.stringify(entry?.typeflag ?? ""))}`}
          aria-label={`unknown type ${escapeInvisible(entry?.typeflag ?? "")}`}
        >
          ?{escapeInvisible(entry?.typeflag ?? "")}
        </span>
      );
    default:
      return (
        <svg viewBox="0 0 16 16" className={`${common} text-slate-500`} aria-label={type === "file" ? "file" : `${type} file`} role="img">
          <path d="M3.5 1.5h6l3 3v10h-9z" fill="none" stroke="currentColor" />
          <path d="M9.5 1.5v3h3" fill="none" stroke="currentColor" />
        </svg>
      );
  }
}
