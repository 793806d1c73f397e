import { useMemo, useState, type ReactNode } from "react";
import { isJsonArray, isJsonNumber, isJsonObject, type JsonValue } from "../../core/oci/json";
import { SafeText } from "../../components/SafeText";
import { formatBytes } from "../../lib/format";
import { classifyBlob, hexDump, HEX_DUMP_LIMIT, prettyJson, type BlobContent } from "./model";

/** Children of one object or array rendered before "… N more" (the raw view has them all). */
const CHILDREN_SHOWN = 500;
/** Text shown before the rest is left to the download. */
const TEXT_SHOWN = 1024 * 1024;

/** A verified blob's bytes: a collapsible JSON tree (or its pretty text), text, or a hex dump. */
export function BlobContentView({ mediaType, bytes }: { readonly mediaType: string; readonly bytes: Uint8Array }) {
  const content = useMemo(() => classifyBlob(mediaType, bytes), [mediaType, bytes]);
  return (
    <div data-testid="blob-content" data-view={content.view}>
      {"note" in content && content.note !== undefined && <p className="px-3 pt-2 text-xs text-amber-800">{content.note}</p>}
      <ContentBody content={content} bytes={bytes} />
    </div>
  );
}

function ContentBody({ content, bytes }: { readonly content: BlobContent; readonly bytes: Uint8Array }): ReactNode {
  switch (content.view) {
    case "json":
      return <JsonView value={content.value} />;
    case "text": {
      const cut = content.text.length > TEXT_SHOWN;
      return (
        <>
          <pre data-testid="blob-text" className={PRE}>
            <SafeText text={cut ? content.text.slice(0, TEXT_SHOWN) : content.text} multiline />
          </pre>
          {cut && <p className="px-3 py-1 text-xs text-slate-500">First {formatBytes(TEXT_SHOWN)} characters shown; download the blob for the rest.</p>}
        </>
      );
    }
    case "binary":
      return (
        <>
          <pre data-testid="hex-dump" className={PRE}>
            {hexDump(bytes)}
          </pre>
          {bytes.byteLength > HEX_DUMP_LIMIT && (
            <p className="px-3 py-1 text-xs text-slate-500">
              First {formatBytes(HEX_DUMP_LIMIT)} of {formatBytes(bytes.byteLength)} shown; download the blob for the rest.
            </p>
          )}
        </>
      );
  }
}

const PRE = "max-h-[28rem] overflow-auto bg-slate-50 px-3 py-2 font-mono text-xs leading-5 text-slate-800 whitespace-pre-wrap [overflow-wrap:anywhere]";

/** A JSON document as a tree (objects and arrays fold), or as pretty-printed text. */
function JsonView({ value }: { readonly value: JsonValue }) {
  const [raw, setRaw] = useState(false);
  const text = useMemo(() => (raw ? prettyJson(value) : ""), [raw, value]);
  return (
    <div>
      <div className="flex items-center gap-2 px-3 pt-2 text-xs">
        <span className="font-medium text-slate-600">JSON</span>
        <button
          type="button"
          data-testid="json-raw-toggle"
          onClick={() => setRaw((r) => !r)}
          className="rounded border border-slate-300 px-1.5 py-px text-[11px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          {raw ? "Show as tree" : "Show as text"}
        </button>
      </div>
      {raw ? (
        <pre data-testid="json-pretty" className={PRE}>
          <SafeText text={text} multiline />
        </pre>
      ) : (
        <div data-testid="json-tree" className="max-h-[28rem] overflow-auto bg-slate-50 px-3 py-2 font-mono text-xs leading-5">
          <JsonNode value={value} depth={0} />
        </div>
      )}
    </div>
  );
}

function JsonNode({ name, value, depth }: { readonly name?: ReactNode; readonly value: JsonValue; readonly depth: number }): ReactNode {
  const label = name !== undefined ? <span className="text-slate-600">{name}: </span> : null;
  if (isJsonObject(value) || isJsonArray(value)) {
    const entries: [ReactNode, JsonValue][] = isJsonArray(value)
      ? value.map((v, i) => [<span key={i} className="text-slate-400">{i}</span>, v])
      : [...value].map(([k, v]) => [<span key={k} className="text-indigo-800">{JSON.stringify(k)}</span>, v]);
    const [open, close] = isJsonArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) {
      return (
        <div>
          {label}
          {open}
          {close}
        </div>
      );
    }
    return (
      <details open={depth < 3}>
        <summary className="cursor-pointer select-none marker:text-slate-400 hover:bg-slate-100">
          {label}
          {open}
          <span className="text-slate-400">
            {" "}
            {entries.length} {isJsonArray(value) ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"}{" "}
          </span>
          {close}
        </summary>
        <div className="ml-2 border-l border-slate-200 pl-3">
          {entries.slice(0, CHILDREN_SHOWN).map(([k, v], i) => (
            <JsonNode key={i} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > CHILDREN_SHOWN && <div className="text-slate-500">… {entries.length - CHILDREN_SHOWN} more (see “Show as text”)</div>}
        </div>
      </details>
    );
  }
  return (
    <div className="[overflow-wrap:anywhere]">
      {label}
      <Primitive value={value} />
    </div>
  );
}

function Primitive({ value }: { readonly value: JsonValue }): ReactNode {
  if (value === null) return <span className="text-slate-500">null</span>;
  if (typeof value === "boolean") return <span className="text-amber-800">{String(value)}</span>;
  if (isJsonNumber(value)) return <span className="text-sky-800">{value.raw}</span>;
  if (typeof value === "string") {
    return (
      <span className="text-emerald-800">
        <SafeText text={JSON.stringify(value)} />
      </span>
    );
  }
  return null;
}
