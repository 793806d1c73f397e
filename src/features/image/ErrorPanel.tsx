import { useEffect, useRef, useState, type ReactNode } from "react";
import { describeError, type ErrorDescription, type LayerscopeError } from "../../core/errors";
import { DEFAULT_RETRY_AFTER_SECONDS } from "../../core/registry";
import { RetryCountdown } from "../../components/RetryCountdown";
import { SafeText } from "../../components/SafeText";
import { CredentialsForm } from "./CredentialsForm";
import { isArchiveRegistry } from "../../lib/archive";
import { isSampleRegistry } from "../../lib/sample";

/** A LayerscopeError, or something that escaped the core's Result discipline (a bug). */
export type ShownError = LayerscopeError | { kind: "unexpected"; message: string };

export interface AutoRetry {
  /** 1-based number of the automatic attempt this countdown leads to. */
  readonly attempt: number;
  readonly max: number;
  readonly onElapsed: () => void;
}


function describe(e: ShownError): ErrorDescription {
  if (e.kind === "unexpected") {
    return { title: "Something went wrong", detail: e.message, action: "Try again; if it keeps happening, this is a Layerscope bug." };
  }
  return describeError(e);
}

const needsCredentials = (e: ShownError): e is Extract<LayerscopeError, { registry: string }> =>
  e.kind === "unauthorized" || e.kind === "not-found" || e.kind === "denied";

/**
 * What went wrong, in the words of describeError, with what to do next: a credentials form for
 * 401/403/404 (R2: a private repository often answers "not found"), a countdown and bounded
 * automatic retries for 429 (R4), and a Retry button for everything else.
 */
export function ErrorPanel({
  error,
  onRetry,
  autoRetry,
  compact = false,
}: {
  readonly error: ShownError;
  readonly onRetry?: () => void;
  readonly autoRetry?: AutoRetry;
  readonly compact?: boolean;
}) {
  const d = describe(error);
  const mild = error.kind === "rate-limited" || error.kind === "platform-not-found" || error.kind === "aborted";
  const registry = needsCredentials(error) ? error.registry : undefined;
  return (
    <div
      data-testid="error"
      data-kind={error.kind}
      role="alert"
      className={`min-w-0 rounded-md border px-4 py-3 text-sm ${compact ? "" : "m-3"} ${
        mild ? "border-amber-300 bg-amber-50 text-amber-950" : "border-rose-300 bg-rose-50 text-rose-950"
      }`}
    >
      <p className="font-semibold">
        <SafeText text={d.title} />
      </p>
      <p className="mt-1 [overflow-wrap:anywhere]" data-part="detail">
        <SafeText text={d.detail} />
      </p>
      <p className="mt-1 text-[13px] opacity-90" data-part="action">
        <SafeText text={d.action} />
      </p>
      {error.kind === "rate-limited" && (
        <RateLimitStatus retryAfterSeconds={error.retryAfterSeconds} limit={error.limit} remaining={error.remaining} autoRetry={autoRetry} />
      )}
      {registry !== undefined && !isSampleRegistry(registry) && !isArchiveRegistry(registry) && (
        <CredentialsForm registry={registry} refused={error.kind === "unauthorized" && error.hadCredentials} />
      )}
      {onRetry && error.kind !== "bad-reference" && !(error.kind === "rate-limited" && autoRetry) && (
        <button
          type="button"
          onClick={onRetry}
          className="mt-3 rounded border border-current/30 bg-white px-3 py-1 text-xs font-medium hover:bg-white/60 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600"
        >
          Retry
        </button>
      )}
    </div>
  );
}

function RateLimitStatus({
  retryAfterSeconds,
  limit,
  remaining,
  autoRetry,
}: {
  readonly retryAfterSeconds?: number;
  readonly limit?: number;
  readonly remaining?: number;
  readonly autoRetry?: AutoRetry;
}): ReactNode {
  return (
    <div className="mt-2 space-y-1 text-[13px]">
      {limit !== undefined && (
        <p>
          Remaining quota: <strong>{remaining ?? 0}</strong> of {limit} requests.
        </p>
      )}
      {autoRetry ? (
        <Countdown seconds={retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS} autoRetry={autoRetry} />
      ) : (
        <p>Stopped after the automatic retries. Use Retry when you are ready.</p>
      )}
    </div>
  );
}

function Countdown({ seconds, autoRetry }: { readonly seconds: number; readonly autoRetry: AutoRetry }) {
  const [deadline] = useState(() => Date.now() + seconds * 1000);
  const [now, setNow] = useState(() => Date.now());
  const fired = useRef(false);
  const left = Math.max(0, Math.ceil((deadline - now) / 1000));

  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(t);
  }, []);

  useEffect(() => {
    if (left > 0 || fired.current) return;
    fired.current = true;
    autoRetry.onElapsed();
  }, [left, autoRetry]);

  return <RetryCountdown secondsLeft={left} attempt={autoRetry.attempt} max={autoRetry.max} testId="retry-countdown" />;
}
