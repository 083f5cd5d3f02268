import type { TriageApi } from '../contract';

declare global {
  interface Window {
    /**
     * The contract, exposed by the preload through contextBridge. Absent when the renderer runs in a
     * plain browser (`rtc-triage serve`); the renderer then uses its HTTP client instead.
     */
    readonly triage?: TriageApi;
  }
}

export {};
