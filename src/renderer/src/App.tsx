import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { MethodResult, TriageApi } from '../../contract';
import { EngineBanner } from './components/EngineBanner';
import { Nav } from './components/Nav';
import { useRoute } from './hooks/useRoute';
import { SCREENS } from './routes';
import { useDiagnosis } from './useDiagnosis';

// Each screen is its own chunk, loaded when first shown: the first load is the shell and the screen
// it opens on, and the validation library (zod, for the editors) comes only with a screen needing it.
const OverviewScreen = lazy(() =>
  import('./screens/overview/OverviewScreen').then((m) => ({ default: m.OverviewScreen })),
);
const ServersScreen = lazy(() =>
  import('./screens/servers/ServersScreen').then((m) => ({ default: m.ServersScreen })),
);
const HistoryScreen = lazy(() =>
  import('./screens/history/HistoryScreen').then((m) => ({ default: m.HistoryScreen })),
);
const AttemptsScreen = lazy(() =>
  import('./screens/attempts/AttemptsScreen').then((m) => ({ default: m.AttemptsScreen })),
);
const PartnerPanel = lazy(() =>
  import('./components/PartnerPanel').then((m) => ({ default: m.PartnerPanel })),
);
const SettingsScreen = lazy(() =>
  import('./screens/settings/SettingsScreen').then((m) => ({ default: m.SettingsScreen })),
);
const BundlesScreen = lazy(() =>
  import('./screens/bundles/BundlesScreen').then((m) => ({ default: m.BundlesScreen })),
);
const CallsScreen = lazy(() =>
  import('./screens/calls/CallsScreen').then((m) => ({ default: m.CallsScreen })),
);

type AppInfo = MethodResult<'appInfo'>;

export function App({ api }: { api: TriageApi }) {
  const diagnosis = useDiagnosis(api);
  const screen = useRoute();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const navigated = useRef(false);

  useEffect(() => {
    api.appInfo({}).then(setInfo, () => setInfo(null));
  }, [api]);

  // After a navigation (not on the first page load) focus goes to the new screen's heading, so a
  // keyboard or screen-reader user continues from there rather than from the top.
  useEffect(() => {
    const title = SCREENS.find((s) => s.id === screen)?.title ?? '';
    document.title = `${title} · RTC Triage`;
    if (navigated.current) headingRef.current?.focus();
    navigated.current = true;
  }, [screen]);

  // Screens reading the history reload when a diagnosis adds to it.
  const refresh = diagnosis.state.report?.runId ?? null;
  const title = SCREENS.find((s) => s.id === screen)?.title ?? '';
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <p className="app-name">RTC Triage</p>
          <p className="tagline">Is it the infrastructure, the network, or the app?</p>
        </div>
        <Nav current={screen} running={diagnosis.state.phase !== 'idle'} />
      </header>
      <EngineBanner api={api} />
      <main aria-labelledby="screen-title">
        <h1 id="screen-title" ref={headingRef} tabIndex={-1} className="screen-title">
          {title}
        </h1>
        <Suspense fallback={<p className="empty">Loading…</p>}>
          {screen === 'overview' && <OverviewScreen diagnosis={diagnosis} api={api} />}
          {screen === 'servers' && <ServersScreen api={api} refresh={refresh} />}
          {screen === 'history' && <HistoryScreen api={api} refresh={refresh} />}
          {screen === 'attempts' && <AttemptsScreen api={api} refresh={refresh} />}
          {screen === 'partner' && <PartnerPanel api={api} />}
          {screen === 'settings' && <SettingsScreen api={api} />}
          {screen === 'bundles' && <BundlesScreen api={api} />}
          {screen === 'calls' && <CallsScreen api={api} />}
        </Suspense>
      </main>
      <footer className="app-footer">
        {info ? `RTC Triage ${info.version} · ${info.face} · history: ${info.dbPath}` : 'RTC Triage'}
      </footer>
    </div>
  );
}
