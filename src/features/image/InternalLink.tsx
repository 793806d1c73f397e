import type { MouseEvent, ReactNode } from "react";
import { hrefFor, navigate, type UrlState } from "../../lib/urlState";

/**
 * A real link (open in new tab, copy link address work) that navigates in place on a plain
 * click, so the tab keeps its in-memory credentials and query cache.
 */
export function InternalLink({
  to,
  children,
  className,
  testId,
}: {
  readonly to: UrlState;
  readonly children: ReactNode;
  readonly className?: string;
  readonly testId?: string;
}) {
  function onClick(e: MouseEvent<HTMLAnchorElement>): void {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
    window.scrollTo({ top: 0 });
  }
  return (
    <a href={hrefFor(to)} onClick={onClick} className={className} data-testid={testId}>
      {children}
    </a>
  );
}
