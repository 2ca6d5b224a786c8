// Global styles first, so each screen's own CSS (imported by the screen) comes after them.
import './styles/base.css';
import './styles/common.css';
import './styles/tables.css';
import './styles/charts.css';
import './styles/overlays.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createClient } from './bridge/client.ts';
import { ClientContext } from './bridge/use-client.ts';
import { SessionProvider } from './session.tsx';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');

// One client for the page's life: the desktop preload or the browser host's WebSocket.
const client = createClient();

createRoot(container).render(
  <StrictMode>
    <ClientContext.Provider value={client}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </ClientContext.Provider>
  </StrictMode>,
);
