/**
 * Puts text on the clipboard. The asynchronous Clipboard API needs a secure context (Electron's
 * file://, or `serve` on loopback); elsewhere the older copy command on a hidden field still works.
 */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // refused (no permission, window not focused): try the copy command below
    }
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.append(field);
  try {
    field.select();
    if (!document.execCommand('copy')) throw new Error('the browser refused to copy');
  } finally {
    field.remove();
  }
}
