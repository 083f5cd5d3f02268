/** "Attempts 21–40 of 134" with Newer / Older; `total` is omitted when only the server knows it. */
export function Pager({
  what,
  from,
  to,
  total,
  onNewer,
  onOlder,
}: {
  what: string;
  from: number;
  to: number;
  total?: number;
  onNewer: (() => void) | null;
  onOlder: (() => void) | null;
}) {
  if (!onNewer && !onOlder) return null;
  return (
    <nav className="pager" aria-label={`${what} pages`}>
      <button type="button" className="small" onClick={onNewer ?? undefined} disabled={!onNewer}>
        Newer
      </button>
      <span className="pager-range" data-testid="pager-range">
        {what} {from}–{to}
        {total !== undefined ? ` of ${total}` : ''}
      </span>
      <button type="button" className="small" onClick={onOlder ?? undefined} disabled={!onOlder}>
        Older
      </button>
    </nav>
  );
}
