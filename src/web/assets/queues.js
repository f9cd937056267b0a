// Queues page: re-reads the live state every few seconds and redraws the cards (DOM APIs only,
// so caller numbers are never interpreted as HTML).
(() => {
  const section = document.getElementById('queue-live');
  const body = document.getElementById('queue-live-body');
  const unavailable = document.getElementById('queue-live-unavailable');
  if (!section || !body) return;
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const render = (state) => {
    unavailable.hidden = state.available;
    body.replaceChildren(...state.queues.map((q) => {
      const card = el('div', undefined, 'card queue-live');
      card.dataset.queue = q.number;
      card.append(el('h3', `${q.number} ${q.name}`));
      const p = el('p');
      p.append(el('strong', String(q.waiting.length), 'waiting-count'), ' waiting, longest ', el('strong', `${q.longestWaitS} s`, 'longest'));
      card.append(p);
      const ul = el('ul', undefined, 'agents');
      for (const a of q.agents) {
        const li = el('li', `${a.extension} `);
        li.append(el('span', a.state, `badge ${a.state}`), ' ', el('span', `${a.callsTaken} calls`, 'muted'));
        ul.append(li);
      }
      card.append(ul);
      return card;
    }));
  };
  const poll = async () => {
    try {
      const res = await fetch('/admin/queues/live', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) render(await res.json());
    } catch { /* network blip: next round */ }
    setTimeout(poll, Number(section.dataset.pollMs) || 3000);
  };
  setTimeout(poll, Number(section.dataset.pollMs) || 3000);
})();
