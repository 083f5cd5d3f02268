import { useEffect, useState } from 'react';
import { screenFromHash, type ScreenId } from '../routes';

/** The screen named by the location's hash, following back/forward and links. */
export function useRoute(): ScreenId {
  const [screen, setScreen] = useState<ScreenId>(() => screenFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setScreen(screenFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return screen;
}
