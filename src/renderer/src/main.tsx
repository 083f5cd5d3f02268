// React Fast Refresh's preamble as a module: under `electron-vite dev` the main process's CSP header
// (script-src 'self') blocks the inline preamble script plugin-react injects. Empty in a build.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createHttpClient } from './api/http-client';
import './styles.css';

// In Electron the preload exposes the contract as window.triage; in a browser (`rtc-triage serve`)
// the same contract comes over HTTP from the page's own origin.
const api = window.triage ?? createHttpClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>,
);
