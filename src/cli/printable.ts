/**
 * Text for a terminal: what a bundle, a config file or a server sent can hold escape sequences that
 * set the window title, clear the screen or draw a fake verdict. Every control character but tab and
 * newline (C0, DEL, C1) and the bidirectional overrides that reorder what is shown are written as
 * visible `\u001b`-style escapes instead, so nothing reaches the terminal that it would act on, and
 * a support engineer still sees that something was there.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
