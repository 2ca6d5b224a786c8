/** A labelled place another feature fills; says what will live here and who builds it. */
export function Placeholder({ title, summary, items }: { title: string; summary: string; items: string[] }) {
  return (
    <section className="screen placeholder-screen" aria-labelledby="placeholder-title">
      <header className="screen-header">
        <h2 id="placeholder-title">{title}</h2>
      </header>
      <div className="panel">
        <p>{summary}</p>
        <ul className="placeholder-list">
          {items.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
        <p className="muted">Not built yet: this screen is a placeholder.</p>
      </div>
    </section>
  );
}
