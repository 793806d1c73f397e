import { useEffect, useSyncExternalStore, type ReactNode } from "react";
import type { ArchiveFormat } from "../../core/archive";
import type { Reference } from "../../core/reference";
import { Badge, Card, Field, Fields } from "../../components/Card";
import { SafeText } from "../../components/SafeText";
import { archiveKeyOf, archiveReference, archiveStore, closeLocalArchive, imageNumberOf, rememberedArchive, type LocalArchive } from "../../lib/archive";
import { formatBytes, formatExactBytes, shortDigest } from "../../lib/format";
import { navigate } from "../../lib/urlState";
import { ErrorPanel } from "../image/ErrorPanel";
import { NOTHING_UPLOADED, OpenArchiveButton } from "./ArchiveOpen";

const FORMATS: Readonly<Record<ArchiveFormat, string>> = {
  "oci-layout": "OCI image layout (oci-archive)",
  "docker-oci": "docker save, Docker 25+ (OCI layout and manifest.json): read from the OCI layout",
  "docker-save": "docker save (manifest.json)",
  kaniko: "kaniko / go-containerregistry tarball (manifest.json)",
};

/**
 * An image served from a local archive: the archive's card (file, format, images to pick, what
 * was synthesized), then `children` — the same view as for a registry image — once an image of
 * an open archive is chosen. After a reload the file is gone: say which it was and ask for it.
 */
export function ArchiveImageView({ reference, children }: { readonly reference: Reference; readonly children: ReactNode }) {
  useSyncExternalStore(archiveStore.subscribe, archiveStore.version);
  const key = archiveKeyOf(reference.repository) ?? "";
  const held = archiveStore.get(key);
  const n = imageNumberOf(reference.tag);
  useEffect(() => {
    if (held === undefined) return;
    document.title = `${held.name} · Layerscope`;
    return () => {
      document.title = "Layerscope";
    };
  }, [held]);
  if (held === undefined) return <ReopenCard archiveKey={key} />;
  const image = n === undefined ? undefined : held.archive.images[n - 1];
  return (
    <div className="space-y-4">
      <ArchiveCard held={held} current={n} />
      {image !== undefined ? (
        children
      ) : n !== undefined ? (
        <ErrorPanel compact error={{ kind: "bad-archive", reason: `the archive holds ${held.archive.images.length} image(s); there is no image ${n}`, hint: "Pick one of the images listed above." }} />
      ) : null}
    </div>
  );
}

function ArchiveCard({ held, current }: { readonly held: LocalArchive; readonly current: number | undefined }) {
  const { archive } = held;
  const image = current === undefined ? undefined : archive.images[current - 1];
  const warnings = [...archive.warnings, ...(image?.warnings ?? [])];
  return (
    <Card
      testId="archive-card"
      title={
        <span data-testid="archive-title" className="[overflow-wrap:anywhere]">
          Local archive: <SafeText text={held.name} />, <span title={formatExactBytes(held.size)}>{formatBytes(held.size)}</span>
        </span>
      }
      aside={
        <span className="inline-flex items-center gap-2">
          <Badge tone="info">nothing uploaded</Badge>
          <button
            type="button"
            data-testid="archive-close"
            onClick={() => {
              closeLocalArchive(held.key);
              navigate({});
            }}
            className="rounded border border-slate-300 px-1.5 py-px text-[11px] font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Close
          </button>
        </span>
      }
    >
      <Fields>
        <Field label="Format" testId="archive-format">
          {FORMATS[archive.format]}
        </Field>
        <Field label="Read how">
          {archive.memberCount} members indexed by their tar headers; layers are streamed from the file when each is verified. {NOTHING_UPLOADED}
        </Field>
        {image?.synthesized === true && (
          <Field label="Manifest" testId="archive-synthesized">
            <Badge tone="warn">synthesized</Badge>{" "}
            <span className="text-slate-700">
              This archive has no registry manifest: Layerscope wrote one from manifest.json. Its digest is this page's hash of what it wrote, not a
              registry's, and proves nothing. The config is checked against the digest its file name claims, and each layer against the config's diff_id
              {archive.format === "kaniko" ? " and the digest its file name claims" : ""}.
            </span>
          </Field>
        )}
        {warnings.length > 0 && (
          <Field label="Notes" testId="archive-warnings">
            <ul className="list-disc space-y-0.5 pl-4 text-amber-900">
              {warnings.map((w, i) => (
                <li key={i}>
                  <SafeText text={w} />
                </li>
              ))}
            </ul>
          </Field>
        )}
      </Fields>
      {archive.images.length > 1 && <ImagePicker held={held} current={current} />}
    </Card>
  );
}

function ImagePicker({ held, current }: { readonly held: LocalArchive; readonly current: number | undefined }) {
  return (
    <div className="border-t border-slate-200 px-4 py-3">
      <p className="mb-2 text-sm text-slate-700">
        This archive holds {held.archive.images.length} images{current === undefined ? ": pick one." : "."}
      </p>
      <ul className="grid gap-1.5 sm:grid-cols-2" data-testid="archive-images">
        {held.archive.images.map((image, i) => {
          const selected = current === i + 1;
          return (
            <li key={i}>
              <button
                type="button"
                data-testid="archive-image"
                aria-pressed={selected}
                onClick={() => navigate({ image: archiveReference(held.key, i + 1) })}
                className={`w-full rounded-md border px-3 py-2 text-left text-sm focus-visible:outline-2 focus-visible:outline-indigo-600 ${
                  selected ? "border-indigo-400 bg-indigo-50 ring-1 ring-indigo-300" : "border-slate-200 bg-white hover:bg-slate-50"
                }`}
              >
                <span className="block font-mono text-[12.5px] font-medium text-slate-900 [overflow-wrap:anywhere]">
                  <SafeText text={image.names.length > 0 ? image.names.join(", ") : `image ${i + 1} (no name)`} />
                </span>
                <span className="block font-mono text-[11px] text-slate-500">{shortDigest(image.digest)}{image.synthesized ? " · synthesized manifest" : ""}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** After a reload (or from a shared link): the file is not open in this tab. */
function ReopenCard({ archiveKey }: { readonly archiveKey: string }) {
  const remembered = rememberedArchive(archiveKey);
  return (
    <Card testId="archive-reopen" title="This page showed a local archive">
      <div className="space-y-3 px-4 py-3 text-sm text-slate-700">
        <p>
          {remembered !== undefined ? (
            <>
              It was{" "}
              <strong data-testid="archive-remembered" className="font-medium text-slate-900">
                <SafeText text={remembered.name} />
              </strong>{" "}
              ({formatBytes(remembered.size)}).{" "}
            </>
          ) : (
            "It was opened in another tab or browser. "
          )}
          A file on your disk cannot be linked to or kept across a reload: pick it again (or drop it here) to carry on where you were. {NOTHING_UPLOADED}
        </p>
        <OpenArchiveButton label="Pick the archive again…" testId="archive-reopen-open" />
      </div>
    </Card>
  );
}
