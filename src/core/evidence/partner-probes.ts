/** The partner test's probe names, as stored in the history (a leaf module: layers and the store use them). */
export const PARTNER_SESSION_PROBE = 'partner-session';
export const PARTNER_RENDEZVOUS_PROBE = 'partner-rendezvous';
