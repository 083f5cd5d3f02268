/**
 * A session that fails on the joiner's end (its peer host died, it gathered no candidate) is told
 * to the host in a `path-abort`, and the host's row of the shared table carries it: the same class,
 * stage, words and metrics as a failure on the host's end, so `metrics.peerHostLost` reads the
 * same whichever side's peer host was lost.
 */
import { classifyError } from '../probes/classify';
import { ProbeFailure, type Metrics } from '../probes/types';
import type { Body } from './messages';

export type PathAbort = Extract<Body, { t: 'path-abort' }>;

const MAX_METRICS = 32;

/** The joiner's word for a failure of path `index` on its end. */
export function pathAbort(index: number, error: unknown, stage: string): PathAbort {
  const failure = classifyError(error, stage);
  const words = failure.message.startsWith('joiner:') ? failure.message : `joiner: ${failure.message}`;
  const metrics: Metrics = {};
  for (const [name, value] of Object.entries(failure.metrics).slice(0, MAX_METRICS))
    metrics[name.slice(0, 64)] = typeof value === 'string' ? value.slice(0, 500) : value;
  return {
    t: 'path-abort',
    index,
    errorClass: failure.errorClass,
    stage: failure.stage.slice(0, 40),
    message: words.slice(0, 1000),
    metrics,
  };
}

/**
 * The host's failure for a joiner's `path-abort`. Whether the partner is lost the host decides from
 * its own link, never from the partner's word, so `partnerLost` does not cross.
 */
export function joinerFailure(abort: PathAbort): ProbeFailure {
  const { partnerLost: _partnerLost, ...metrics } = abort.metrics ?? {};
  return new ProbeFailure(abort.errorClass, abort.stage, abort.message, metrics);
}
