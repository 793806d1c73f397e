/**
 * A transparent front of a registry that counts what reaches it: every request is passed on as it
 * came (Authorization included, unlike the REDIRECT front) and its answer streamed back, and the
 * method, path, status and whether it carried credentials are recorded. e2e/scale-out.spec.ts
 * puts one in front of OPEN and one in front of BASIC to see which requests nginx's cache kept
 * from the registry.
 */
import { createServer, request as httpRequest } from "node:http";
import { LOOPBACK, type Processes } from "./services";

export interface CountedRequest {
  method: string;
  /** Path without query. */
  path: string;
  status: number;
  authorized: boolean;
}

export interface CountingFront {
  /** host:port to name in image references. */
  host: string;
  requests: CountedRequest[];
}

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"];

export async function startCountingFront(procs: Processes, port: number, upstream: string): Promise<CountingFront> {
  const [upHost, upPort] = upstream.split(":");
  const requests: CountedRequest[] = [];
  const server = createServer((req, res) => {
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    const record: CountedRequest = {
      method: req.method ?? "",
      path: new URL(req.url ?? "/", `http://${LOOPBACK}`).pathname,
      status: 0,
      authorized: req.headers.authorization !== undefined,
    };
    requests.push(record);
    const up = httpRequest({ host: upHost, port: Number(upPort), method: req.method, path: req.url, headers }, (answer) => {
      record.status = answer.statusCode ?? 502;
      const out = { ...answer.headers };
      for (const h of HOP_BY_HOP) delete out[h];
      res.writeHead(record.status, out);
      answer.pipe(res);
    });
    up.on("error", () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on("close", () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
  procs.track(server);
  return { host: `${LOOPBACK}:${port}`, requests };
}
