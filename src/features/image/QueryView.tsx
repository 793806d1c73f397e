import { useState, type ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { LayerscopeFailure } from "../../core/errors";
import { RATE_LIMIT_RETRIES } from "../../core/registry";
import { Loading } from "../../components/Loading";
import { ErrorPanel, type ShownError } from "./ErrorPanel";

/** Automatic attempts after a 429 before we stop and wait for the user (R4). */
export const MAX_RATE_LIMIT_RETRIES = RATE_LIMIT_RETRIES;

export function asShownError(error: unknown): ShownError {
  if (error instanceof LayerscopeFailure) return error.error;
  return { kind: "unexpected", message: error instanceof Error ? error.message : String(error) };
}

/**
 * Loading, error or data for one query. Stays mounted while a query goes error → loading →
 * error, so it can count automatic rate-limit retries across those transitions.
 */
export function QueryView<T>({
  query,
  loading,
  children,
}: {
  readonly query: UseQueryResult<T, Error>;
  readonly loading: string;
  readonly children: (data: T) => ReactNode;
}): ReactNode {
  const [autoRetries, setAutoRetries] = useState(0);
  const { data, error, refetch } = query;

  if (query.isError) {
    const shown = asShownError(error);
    const panel = (
      <ErrorPanel
        compact
        error={shown}
        onRetry={() => {
          setAutoRetries(0);
          void refetch();
        }}
        autoRetry={
          shown.kind === "rate-limited" && autoRetries < MAX_RATE_LIMIT_RETRIES
            ? {
                attempt: autoRetries + 1,
                max: MAX_RATE_LIMIT_RETRIES,
                onElapsed: () => {
                  setAutoRetries((n) => n + 1);
                  void refetch();
                },
              }
            : undefined
        }
      />
    );
    // A failed refetch of a tag keeps the old data on screen, under the error.
    return data === undefined ? panel : (
      <>
        {panel}
        {children(data)}
      </>
    );
  }
  if (data !== undefined) return children(data);
  return <Loading label={loading} />;
}
