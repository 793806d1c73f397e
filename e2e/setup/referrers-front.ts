/**
 * REFERRERS: a registry front that implements the distribution-spec 1.1 referrers API, which the
 * e2e registry (distribution 2.8) does not: `GET /v2/<name>/referrers/<digest>` answers an OCI
 * index from the descriptors the fixture script computed (`listed`, filled after the push), with
 * the `artifactType` filter (and `OCI-Filters-Applied`), and pages of {@link PAGE_SIZE} linked by
 * `Link: <…?n=…&last=<digest>>; rel="next"`. A subject with nothing listed gets an empty index,
 * as a registry with the API must answer. Everything else is passed to OPEN untouched.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { LOOPBACK, type Processes } from "./services";
import type { Descriptor } from "./fixtures";

/** Referrers per page, so a list of four takes two pages. */
export const PAGE_SIZE = 3;

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** Referrer descriptors by `${repository}@${subjectDigest}`. */
export type ReferrersTable = Map<string, (Descriptor & { artifactType?: string })[]>;

/** Requests the front answered itself, for specs to check what the page asked (`GET /__referrers`). */
interface Seen {
  path: string;
  artifactType: string | null;
}

export async function startReferrersFront(procs: Processes, port: number, opts: { open: string; listed: ReferrersTable }): Promise<void> {
  const [host, upstreamPort] = opts.open.split(":");
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}`);
    if (url.pathname === "/__referrers") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(seen));
      return;
    }
    const m = /^\/v2\/(.+)\/referrers\/([a-z0-9]+:[a-f0-9]+)$/.exec(url.pathname);
    if (m && (req.method === "GET" || req.method === "HEAD")) {
      const artifactType = url.searchParams.get("artifactType");
      seen.push({ path: url.pathname, artifactType });
      let list = opts.listed.get(`${m[1]}@${m[2]}`) ?? [];
      if (artifactType !== null) list = list.filter((d) => d.artifactType === artifactType);
      const last = url.searchParams.get("last");
      const from = last === null ? 0 : list.findIndex((d) => d.digest === last) + 1;
      const page = list.slice(from, from + PAGE_SIZE);
      const headers: Record<string, string> = { "content-type": OCI_INDEX, "docker-distribution-api-version": "registry/2.0" };
      if (artifactType !== null) headers["oci-filters-applied"] = "artifactType";
      if (from + PAGE_SIZE < list.length) {
        const next = new URLSearchParams({ n: String(PAGE_SIZE), last: page.at(-1)?.digest ?? "" });
        if (artifactType !== null) next.set("artifactType", artifactType);
        headers["link"] = `<${url.pathname}?${next.toString()}>; rel="next"`;
      }
      const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: page });
      res.writeHead(200, { ...headers, "content-length": String(Buffer.byteLength(body)) });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const headers = { ...req.headers };
    delete headers.host;
    delete headers.connection;
    const up = httpRequest({ host, port: Number(upstreamPort), method: req.method, path: req.url, headers }, (upRes) => {
      const out = { ...upRes.headers };
      delete out.connection;
      delete out["keep-alive"];
      res.writeHead(upRes.statusCode ?? 502, out);
      upRes.pipe(res);
    });
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(up);
  });
  procs.track(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
}
