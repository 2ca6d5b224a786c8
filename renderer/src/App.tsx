import { useEffect, useState } from 'react';
import { SECTIONS, type SectionId } from './sections.ts';

/** What the status bar says about the host the renderer runs in. */
function useHostStatus(): string {
  const [status, setStatus] = useState(() => (window.recon ? 'Desktop app' : 'Browser host (no desktop bridge)'));

  useEffect(() => {
    const bridge = window.recon;
    if (!bridge) return;
    let live = true;
    bridge
      .version()
      .then((version) => {
        if (live) setStatus(`Desktop app v${version}`);
      })
      .catch(() => {
        if (live) setStatus('Desktop app (version unavailable)');
      });
    return () => {
      live = false;
    };
  }, []);

  return status;
}

/** The application shell: header, section navigation, content and status bar. */
export function App() {
  const [active, setActive] = useState<SectionId>('runs');
  const hostStatus = useHostStatus();
  const section = SECTIONS.find((s) => s.id === active) ?? SECTIONS[0];

  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Recon Workstation</h1>
      </header>
      <nav className="shell-nav" aria-label="Sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                aria-current={s.id === active ? 'page' : undefined}
                onClick={() => {
                  setActive(s.id);
                }}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="shell-main" aria-labelledby="section-title">
        <h2 id="section-title">{section.label}</h2>
        <p className="placeholder">{section.summary}</p>
      </main>
      <footer className="shell-status">
        <span role="status">{hostStatus}</span>
      </footer>
    </div>
  );
}
