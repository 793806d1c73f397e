import { QueryClient } from "@tanstack/react-query";
import { LayerscopeFailure } from "../core/errors";

/**
 * Retries are decided by what went wrong, not by counting: a LayerscopeError is never retried
 * here (a 404 or a digest mismatch will not fix itself, and R2 forbids retry loops on 401/404).
 * Rate limiting is the exception, handled by the feature with a visible countdown and a bounded
 * number of attempts (R4), so the user sees why nothing is happening.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => !(error instanceof LayerscopeFailure) && failureCount < 1,
        // Docker Hub counts every manifest GET as a pull: do not refetch just because the
        // window got focus. Tag lookups still go stale quickly and are asked again on re-open;
        // digest-keyed queries set staleTime: "static" themselves.
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        staleTime: 30_000,
      },
    },
  });
}
