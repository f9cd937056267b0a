// Destination pickers (forwarding, entry numbers): the number box only matters for an
// extension, mailbox or queue, so it is hidden for "hang up" and "not set". Without this
// script the box simply stays visible and the server ignores a number given with hang up.
const NO_NUMBER = new Set(['hangup', 'none', '']);

document.querySelectorAll('select.dest-kind').forEach((select) => {
  const target = document.getElementById(select.id.replace(/Kind$/, 'Target'));
  if (!target || target === select) return;
  const sync = () => {
    const hide = NO_NUMBER.has(select.value);
    target.hidden = hide;
    // Keep the value: switching back to "extension" should not lose what was typed.
    target.setAttribute('aria-hidden', String(hide));
  };
  select.addEventListener('change', sync);
  sync();
});
