import { dispatch } from './dispatch';
import type { TriageService } from '../service';
import type { EngineClient } from './client';

/** A service in this very process behind the engine interface: for the CLI's one-shot commands and tests. */
export function inProcessEngine(service: TriageService): EngineClient {
  return {
    call: (method, args, context) => dispatch(service, method, args, context ?? {}),
    onEvent: (listener) => service.onEvent(listener),
  };
}
