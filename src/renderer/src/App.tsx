import { useEffect, useRef, useState } from 'react';
import type { MethodResult, TriageApi } from '../../contract';
import { EngineBanner } from './components/EngineBanner';
import { Nav } from './components/Nav';
import { PartnerPanel } from './components/PartnerPanel';
import { useRoute } from './hooks/useRoute';
import { SCREENS } from './routes';
import { AttemptsScreen } from './screens/attempts/AttemptsScreen';
import { BundlesScreen } from './screens/bundles/BundlesScreen';
import { CallsScreen } from './screens/calls/CallsScreen';
import { HistoryScreen } from './screens/history/HistoryScreen';
import { OverviewScreen } from './screens/overview/OverviewScreen';
import { ServersScreen } from './screens/servers/ServersScreen';
import { SettingsScreen } from './screens/settings/SettingsScreen';
import { useDiagnosis } from './useDiagnosis';

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
        {screen === 'overview' && <OverviewScreen diagnosis={diagnosis} api={api} />}
        {screen === 'servers' && <ServersScreen api={api} refresh={refresh} />}
        {screen === 'history' && <HistoryScreen api={api} refresh={refresh} />}
        {screen === 'attempts' && <AttemptsScreen api={api} refresh={refresh} />}
        {screen === 'partner' && <PartnerPanel api={api} />}
        {screen === 'settings' && <SettingsScreen api={api} />}
        {screen === 'bundles' && <BundlesScreen api={api} />}
        {screen === 'calls' && <CallsScreen api={api} />}
      </main>
      <footer className="app-footer">
        {info ? `RTC Triage ${info.version} · ${info.face} · history: ${info.dbPath}` : 'RTC Triage'}
      </footer>
    </div>
  );
}
