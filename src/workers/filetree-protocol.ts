/**
 * The typed message contract between the page and the filetree worker (filetree.worker.ts).
 * Only plain data crosses (STYLE 8): the layers go packed (core/pipeline/pack.ts: typed arrays and
 * one string, a copy to clone; a million entry objects were 0.6–2.3 s of the page's main thread
 * to clone, in one task), the report comes back as the core's plain EfficiencyReport,
 * and a failure as a message string. Every request carries an `id`; the reply names it, and the
 * bridge ignores replies to requests it has superseded.
 */
import type { EfficiencyReport, MergedColumns, MergeSource } from "../core/filetree";
import type { PackedEntries } from "../core/pipeline/pack";
import type { SizeTree } from "../core/treemap";
import type { SearchForm, SearchOutcome } from "../core/search";

/**
 * page → worker. `listLimit` trims the report's path lists (wastedFiles, diveInefficiencies:
 * tens of thousands of paths for a big image, hundreds of ms to clone back) to what the page shows.
 */
export type FiletreeWorkerRequest =
  | {
      readonly type: "efficiency";
      readonly id: number;
      readonly layers: readonly PackedEntries[];
      readonly listLimit?: number;
      /** Also build the top layer's size tree for the treemap, from the same merge (its arrays are transferred back). */
      readonly sizeTree?: boolean;
    }
  /**
   * A path search (src/core/search). The layers are sent once per `dataset` and kept by the
   * worker (merged there too), so typing a query costs no structured clone of 200 000 entries:
   * the bridge sends `layers` only when this worker has not got `dataset` yet.
   */
  | {
      readonly type: "search";
      readonly id: number;
      readonly dataset: number;
      readonly layers?: readonly PackedEntries[];
      readonly form: SearchForm;
      readonly limit?: number;
      readonly budgetMs?: number;
    }
  /**
   * The merged tree as columns (core/filetree/columns.ts) as of layer `upTo`. The layers are sent
   * once per `dataset`, as for a search; the columns come back transferred, without the layers'
   * texts (`texts` is empty: the page puts back the ones it sent).
   */
  | {
      readonly type: "merged";
      readonly id: number;
      readonly dataset: number;
      /** Only what the merge reads of each packed layer (core/filetree/columns.ts MergeSource). */
      readonly layers?: readonly MergeSource[];
      readonly upTo: number;
      readonly showDeleted: boolean;
    };

/** A report, its path lists perhaps trimmed, with the untrimmed count of wasted files. */
export interface EfficiencySummary {
  readonly report: EfficiencyReport;
  readonly wastedFileCount: number;
  /** When asked for: the merged filesystem at the top layer as a size tree (src/core/treemap). */
  readonly sizeTree?: SizeTree;
}

/** worker → page. */
export type FiletreeWorkerResponse =
  | ({ readonly type: "efficiency"; readonly id: number } & EfficiencySummary)
  | { readonly type: "search"; readonly id: number; readonly outcome: SearchOutcome }
  | { readonly type: "merged"; readonly id: number; readonly columns: MergedColumns }
  | { readonly type: "error"; readonly id: number; readonly message: string };
