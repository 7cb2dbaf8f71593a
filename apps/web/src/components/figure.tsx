import type { Figure } from "@burnrate/domain";

/**
 * Renders a `Figure`: the formatted value, or "—" whose tooltip (and accessible name) gives the
 * reason there is no data. "never" (e.g. budget exhaustion at zero burn) is an answer and is shown
 * as such, never as "—".
 */
export function FigureText<T>({ figure, format, testId }: { figure: Figure<T> | null | undefined; format: (v: T) => string; testId?: string }) {
  if (!figure) return <span data-testid={testId}>…</span>;
  if (figure.value === null) {
    return (
      <span title={`No data: ${figure.reason}`} aria-label={`no data: ${figure.reason}`} data-testid={testId} data-no-data={figure.reason}>
        —
      </span>
    );
  }
  return <span data-testid={testId}>{format(figure.value)}</span>;
}
