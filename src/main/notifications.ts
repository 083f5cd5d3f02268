import type { TriageEvent } from '../contract';

/** The part of Electron's `Notification` this module uses; tests pass a fake. */
export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}
export interface NotificationApi {
  isSupported(): boolean;
  new (options: { title: string; body: string }): NotificationLike;
}

/** The desktop notification for a monitor event: one per alert and one per recovery, nothing else. */
export function notificationFor(event: TriageEvent): { title: string; body: string } | null {
  if (event.name !== 'monitor.alert' && event.name !== 'monitor.recovered') return null;
  const data = event.data ?? {};
  const title = typeof data.title === 'string' ? data.title : 'RTC Triage monitor';
  const message = typeof data.message === 'string' ? data.message : '';
  return {
    title: `RTC Triage: ${title}`,
    body: message.length > 240 ? `${message.slice(0, 237)}...` : message,
  };
}

/**
 * Shows the monitor's alerts and recoveries as desktop notifications. The monitor already says each
 * episode once, so this only translates; a click brings the window forward. Returns the unsubscribe.
 */
export function registerMonitorNotifications(
  service: { onEvent(listener: (event: TriageEvent) => void): () => void },
  Notification: NotificationApi,
  onClick: () => void = () => {},
): () => void {
  return service.onEvent((event) => {
    const note = notificationFor(event);
    if (!note || !Notification.isSupported()) return;
    const shown = new Notification(note);
    shown.on('click', onClick);
    shown.show();
  });
}
