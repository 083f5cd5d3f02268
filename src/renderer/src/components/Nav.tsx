import { SCREENS, hashFor, type ScreenId } from '../routes';

/** The screens as real links: Tab reaches them, Enter follows them, the current one is marked. */
export function Nav({ current, running }: { current: ScreenId; running: boolean }) {
  return (
    <nav aria-label="Screens" className="nav">
      <ul>
        {SCREENS.map((screen) => (
          <li key={screen.id}>
            <a href={hashFor(screen.id)} aria-current={screen.id === current ? 'page' : undefined}>
              {screen.title}
              {screen.id === 'overview' && running && (
                <span className="nav-badge">
                  {' '}
                  <span aria-hidden="true">●</span>
                  <span className="visually-hidden">(diagnosis running)</span>
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
