import { useMemo, useState } from "react";
import { SafeText } from "./SafeText";

/**
 * A "Raw JSON" disclosure: the document's bytes pretty-printed, as text. Rendered only when
 * opened, since a manifest may be megabytes.
 */
export function RawJson({ bytes, label = "Raw JSON" }: { readonly bytes: Uint8Array; readonly label?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="group border-t border-slate-200" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer select-none px-4 py-2 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600">
        {label} <span className="font-normal text-slate-500">({bytes.byteLength.toLocaleString("en-US")} bytes)</span>
      </summary>
      {open && <PrettyJson bytes={bytes} />}
    </details>
  );
}

function PrettyJson({ bytes }: { readonly bytes: Uint8Array }) {
  const text = useMemo(() => {
    const raw = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    try {
      return JSON.stringify(JSON.parse(raw), null, 2);
    } catch {
      return raw;
    }
  }, [bytes]);
  return (
    <pre className="max-h-[32rem] overflow-auto border-t border-slate-100 bg-slate-50 px-4 py-3 font-mono text-xs leading-5 text-slate-800 [overflow-wrap:anywhere] whitespace-pre-wrap">
      <SafeText text={text} multiline />
    </pre>
  );
}
