import type { ReactNode } from "react";

/**
 * Untrusted text (registry answers, labels, history) rendered so that nothing in it can hide or
 * reorder what a reader sees (SECURITY U2, U3): control characters, bidi overrides and
 * isolates, zero-width and other invisible characters become visible ⟨U+XXXX⟩ markers.
 * React renders strings as text, so HTML in them is shown literally.
 */

// C0/C1 controls, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width
// space/joiners, LRM/RLM, line/paragraph separators, bidi embeddings/overrides (202A–202E),
// word joiner and invisible operators, bidi isolates (2066–2069), deprecated format chars,
// BOM/ZWNBSP, interlinear annotations, and lone surrogates.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function marker(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The text with every invisible character replaced by ⟨U+XXXX⟩ — for attributes like title. */
export function escapeInvisible(text: string, opts?: { multiline?: boolean }): string {
  return text.replace(INVISIBLE, (ch) => (opts?.multiline && (ch === "\n" || ch === "\t") ? ch : `⟨${marker(ch)}⟩`));
}

export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  const found = INVISIBLE.test(text);
  INVISIBLE.lastIndex = 0;
  return found;
}

interface SafeTextProps {
  readonly text: string;
  /** Keep newlines and tabs as layout (history commands, JSON); otherwise they are shown as ⟨\n⟩. */
  readonly multiline?: boolean;
}

export function SafeText({ text, multiline = false }: SafeTextProps): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    const ch = m[0];
    const at = m.index;
    if (multiline && (ch === "\n" || ch === "\t")) continue;
    if (at > last) parts.push(text.slice(last, at));
    parts.push(
      <span
        key={key++}
        className="mx-px rounded-sm bg-amber-100 px-0.5 font-mono text-[0.85em] text-amber-900 ring-1 ring-amber-300"
        title={`Invisible or control character ${marker(ch)}`}
      >
        ⟨{marker(ch)}⟩
      </span>,
    );
    last = at + ch.length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
