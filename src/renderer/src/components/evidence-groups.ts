import type { Evidence } from '../../../contract';

/** One line of the folded evidence: a server (or, without a target, a cause) and its sentences. */
export interface EvidenceGroup {
  key: string;
  label: string;
  count: number;
  /** "4 failed (timeout), 2 passed", read off the engine's sentences; empty when they say neither. */
  tally: string;
  sentences: string[];
}

/**
 * Presentation only: groups the engine's evidence by server (targetId, shown by its URL where known)
 * or, for evidence without a target, by the cause its sentence starts with ("history: …"). The verdict
 * and its evidence are never re-derived here.
 */
export function groupEvidence(
  evidence: readonly Evidence[],
  urlOf: (targetId: string) => string | undefined = () => undefined,
): EvidenceGroup[] {
  const groups = new Map<string, { label: string; sentences: string[] }>();
  for (const item of evidence) {
    const cause = item.targetId ? null : causeOf(item.summary);
    const key = item.targetId ? `target:${item.targetId}` : `cause:${cause}`;
    const label = item.targetId ? (urlOf(item.targetId) ?? item.targetId) : (cause ?? 'other');
    const group = groups.get(key) ?? { label, sentences: [] };
    group.sentences.push(item.summary);
    groups.set(key, group);
  }
  return [...groups].map(([key, { label, sentences }]) => ({
    key,
    label,
    count: sentences.length,
    tally: tallyOf(sentences),
    sentences,
  }));
}

/** The words before a sentence's first ": " (its subject), or "other". */
function causeOf(summary: string): string {
  const at = summary.indexOf(': ');
  return at > 0 && at <= 60 ? summary.slice(0, at) : 'other';
}

function tallyOf(sentences: readonly string[]): string {
  const failed = new Map<string, number>();
  let passed = 0;
  let rejected = 0;
  let untested = 0;
  for (const s of sentences) {
    const failure = / failed: ([\w-]+)/.exec(s);
    if (failure?.[1]) failed.set(failure[1], (failed.get(failure[1]) ?? 0) + 1);
    else if (/credentials rejected/.test(s)) rejected++;
    else if (/ was not tested/.test(s)) untested++;
    else if (/ passed\b/.test(s)) passed++;
  }
  const failures = [...failed.values()].reduce((a, b) => a + b, 0);
  const parts = [
    failures ? `${failures} failed (${[...failed.keys()].join(', ')})` : '',
    rejected ? `${rejected} credentials rejected` : '',
    passed ? `${passed} passed` : '',
    untested ? `${untested} not tested` : '',
  ];
  return parts.filter(Boolean).join(', ');
}
