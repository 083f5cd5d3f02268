/**
 * True when the test run is inside a loopback-only network namespace (scripts/test.mjs puts it
 * there). A diagnosis opens real RTCPeerConnections, and libwebrtc gathers candidates on every
 * interface it sees, so tests that run whole diagnoses require isolation and skip loudly without it.
 */
export const isolated = process.env.RTC_TRIAGE_NETNS === '1';

export function skipUnlessIsolated(what: string): boolean {
  if (!isolated) {
    console.warn(
      `SKIPPED: ${what} runs real WebRTC probes and needs the loopback-only namespace of \`npm test\` (scripts/test.mjs); run it through npm test.`,
    );
  }
  return !isolated;
}
