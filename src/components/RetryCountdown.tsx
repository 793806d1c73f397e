/**
 * "Retrying automatically in N s (attempt k of m)." — the line under a 429 (SECURITY R4), for
 * the image views' error panel and a layer's row alike. Presentational: the caller keeps time.
 */
export function RetryCountdown({ secondsLeft, attempt, max, testId }: { readonly secondsLeft: number; readonly attempt: number; readonly max: number; readonly testId: string }) {
  return (
    <p aria-live="polite">
      Retrying automatically in{" "}
      <strong data-testid={testId} data-seconds={secondsLeft} className="font-mono tabular-nums">
        {secondsLeft}
      </strong>{" "}
      s (attempt {attempt} of {max}).
    </p>
  );
}
