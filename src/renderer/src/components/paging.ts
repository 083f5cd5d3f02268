/** Rows a page of attempts shows: the Attempts screen stays within two window heights. */
export const ATTEMPTS_PER_PAGE = 20;
