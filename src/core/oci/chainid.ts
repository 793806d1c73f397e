/**
 * Chain IDs (image-spec config.md, "Layer ChainID"): the identity of a stack of layers, as a
 * runtime stores it. Docker's layer store (/var/lib/docker/image/<driver>/layerdb/sha256/<chain>)
 * and containerd's snapshotter key layers by chain ID, not by diff_id, because the same
 * uncompressed tar applied on a different parent gives a different filesystem.
 */
import { digestBytes } from "../digest";

/**
 * The chain ID of every prefix of `diffIds` (ordered base first, as `rootfs.diff_ids`):
 *
 *   ChainID(L0) = DiffID(L0)
 *   ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))
 *
 * The hash is over the UTF-8 bytes of the string "<parent chain ID> <diff_id>" (both written as
 * "algorithm:hex", one space between), and the result is written "sha256:<hex>" whatever the
 * diff_ids' algorithm. `result[i]` names layers 0..i stacked; the last one names the whole rootfs.
 * An empty list gives an empty list. The inputs are not validated: they are hashed as written.
 */
export async function chainIds(diffIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const utf8 = new TextEncoder();
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : await digestBytes("sha256", utf8.encode(`${parent} ${diffId}`)));
  }
  return out;
}
