// Greeting upload: the picked file goes as the raw request body (no multipart parser on the
// server); the session's CSRF token travels in a header. The server checks and converts it.
(() => {
  const section = document.getElementById('greeting');
  const input = document.getElementById('greeting-file');
  const button = document.getElementById('greeting-upload');
  const result = document.getElementById('greeting-result');
  if (!section || !input || !button || !result) return;
  const show = (text, ok) => {
    result.textContent = text;
    result.className = ok ? 'notice' : 'error';
    result.hidden = false;
  };
  button.addEventListener('click', async () => {
    const file = input.files && input.files[0];
    if (!file) return show('Choose a WAV file first.', false);
    button.disabled = true;
    try {
      const res = await fetch(`/admin/mailboxes/${section.dataset.box}/greeting`, {
        method: 'POST', credentials: 'same-origin', body: file,
        headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': section.dataset.csrf, 'x-file-name': encodeURIComponent(file.name), accept: 'application/json' },
      });
      const body = await res.json().catch(() => ({}));
      if (res.ok) {
        show(body.message || 'Greeting stored.', true);
        setTimeout(() => window.location.reload(), 800);
      } else show((body.error && body.error.message) || `Upload failed (HTTP ${res.status}).`, false);
    } catch {
      show('Upload failed: the server could not be reached.', false);
    } finally {
      button.disabled = false;
    }
  });
})();
