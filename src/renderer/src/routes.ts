/** The screens, in navigation order. The hash (`#/servers`) selects one: works from file:// and http. */
export const SCREENS = [
  { id: 'overview', title: 'Overview' },
  { id: 'servers', title: 'Servers' },
  { id: 'history', title: 'History' },
  { id: 'attempts', title: 'Attempts' },
  { id: 'partner', title: 'Partner test' },
  { id: 'settings', title: 'Settings' },
  { id: 'bundles', title: 'Bundles' },
  { id: 'calls', title: 'Calls' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

export function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return SCREENS.find((screen) => screen.id === id)?.id ?? 'overview';
}

export function hashFor(id: ScreenId): string {
  return `#/${id}`;
}
