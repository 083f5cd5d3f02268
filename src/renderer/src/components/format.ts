export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

const TIME_FORMAT = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/**
 * The one way the UI writes a moment: in this machine's zone with the zone named, e.g.
 * "7 Dec 2026, 17:05 UTC" or "7 Dec 2026, 18:05 CET". The ISO form goes only in a `title` (see
 * `<Time>`) and in exports, never beside it on screen.
 */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : TIME_FORMAT.format(date);
}

const DAY_FORMAT = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});

/** A local calendar day the engine names `2026-12-07` (heatmap rows), as "Mon 7 Dec". */
export function formatDay(date: string): string {
  const at = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? date : DAY_FORMAT.format(at);
}

/** An ISO 8601 moment inside an engine-written sentence (pattern and evidence summaries). */
export const ISO_MOMENT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;

/** A sentence cut into text and moments, so each moment can be shown once, as `formatTime` writes it. */
export function splitMoments(text: string): Array<{ text: string } | { iso: string }> {
  const parts: Array<{ text: string } | { iso: string }> = [];
  let last = 0;
  for (const match of text.matchAll(ISO_MOMENT)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ iso: match[0] });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A window of history for the pickers: 1 h to 30 d. */
export const WINDOWS = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
  { label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

const LAYER_WORDS: Record<string, string> = {
  L0: 'this machine',
  L1: 'embedded lab',
  L2: 'STUN/TURN',
  L3: 'signaling',
  L4: 'cross-network path',
};

/** An attempt's layer as every screen writes it: `L4 · cross-network path`. */
export function layerLabel(layer: string): string {
  const words = LAYER_WORDS[layer];
  return words ? `${layer} · ${words}` : layer;
}
