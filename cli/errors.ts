/**
 * What can go wrong on the command line beyond what src/core knows: a CI rules file or a
 * threshold that does not parse, and an image a CI gate will not judge because its bytes did not
 * verify. Errors are data with a kind (STYLE 7); the sentence a person reads is built here, and
 * for the core's kinds by src/core/errors.ts describeError.
 */
import { describeError, type ErrorDescription, type LayerscopeError } from "../src/core/errors";

export type CliError =
  | LayerscopeError
  /** A CI rules file that cannot be read or is not the YAML shape of dive's `.dive-ci`; `line` is 1-based. */
  | { readonly kind: "bad-ci-config"; readonly file: string; readonly line: number | null; readonly reason: string }
  /** A threshold that does not parse or is out of range; `from` says where it was set ("--lowest-efficiency", ".layerscope-ci line 4"). */
  | { readonly kind: "bad-threshold"; readonly rule: string; readonly value: string; readonly from: string; readonly reason: string }
  /** An image with bytes that did not verify (layers, config or manifest): a CI gate refuses to judge it. */
  | { readonly kind: "untrusted-image"; readonly image: string; readonly reasons: readonly string[] };

/**
 * What to do next on the command line, for the kinds whose page advice names the page's own
 * controls (a credentials form, PROXY_ALLOW_HOSTS, the automatic retry); undefined keeps
 * describeError's. The title and detail are always describeError's.
 */
function commandLineAction(e: LayerscopeError): string | undefined {
  switch (e.kind) {
    case "unauthorized":
      return "Give credentials with --username NAME --password-stdin, or docker login (a plain auths entry in ~/.docker/config.json).";
    case "destination-not-allowed":
      return "Loopback, private, link-local and metadata addresses are refused unless --allow-private is given.";
    case "rate-limited":
      return e.retryAfterSeconds !== undefined
        ? `Run again after the ${e.retryAfterSeconds} s the registry asked for; logging in usually raises the limit.`
        : undefined;
    default:
      return undefined;
  }
}

/** The one place a command-line error becomes words; the core's kinds go to describeError. */
export function describeCliError(e: CliError): ErrorDescription {
  switch (e.kind) {
    case "bad-ci-config":
      return {
        title: "Cannot use the CI rules file",
        detail: `${e.file}${e.line !== null ? ` line ${e.line}` : ""}: ${e.reason}.`,
        action: "The file has dive's .dive-ci shape: a `rules:` mapping of lowestEfficiency, highestWastedBytes and highestUserWastedPercent to values.",
      };
    case "bad-threshold":
      return {
        title: "Bad CI threshold",
        detail: `${e.rule} = “${e.value}” (${e.from}): ${e.reason}.`,
        action:
          e.rule === "highestWastedBytes"
            ? "Give a size such as 20MB, 512KiB or 1000 (MB = 1000² bytes, MiB = 1024², as dive reads them), or disabled."
            : "Give a ratio from 0 to 1 such as 0.9, or disabled.",
      };
    case "untrusted-image":
      return {
        title: "Untrusted image",
        detail: `${e.image}: ${e.reasons.join("; ")}. A CI gate does not pass or fail an image whose bytes did not verify.`,
        action: "Check where the archive came from and save or pull it again; `layerscope inspect` shows every verdict.",
      };
    case "destination-not-allowed":
      // The page's sentence names the proxy; here there is none, the same rules run in-process.
      return { ...describeError(e), detail: `layerscope will not connect to ${e.registry}: ${e.detail}.`, action: commandLineAction(e) ?? "" };
    default: {
      const d = describeError(e);
      const action = commandLineAction(e);
      return action === undefined ? d : { ...d, action };
    }
  }
}

/** describeCliError's sentence on one line: "Title: detail action". */
export function describeLine(e: CliError): string {
  const d = describeCliError(e);
  return `${d.title}: ${d.detail}${d.action ? ` ${d.action}` : ""}`;
}
