// Installer page: MAC checked as typed (a scanner types and presses Enter), optional camera scan
// with BarcodeDetector, and a status card refreshed by polling the JSON status endpoint.
(() => {
  const MAC = /^(?:[0-9a-f]{12}|[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})$/i;
  const input = document.getElementById('mac-input');
  const form = document.getElementById('mac-form');
  if (form && input) {
    form.addEventListener('submit', (event) => {
      input.value = input.value.trim();
      if (!MAC.test(input.value)) {
        event.preventDefault();
        input.setAttribute('aria-invalid', 'true');
        input.setCustomValidity('Not a MAC address: 12 hex digits, e.g. 00:11:22:33:44:AA');
        input.reportValidity();
      }
    });
    input.addEventListener('input', () => { input.setCustomValidity(''); input.removeAttribute('aria-invalid'); });
  }

  // Camera scanning where the browser has BarcodeDetector (Chrome on Android); else the button stays hidden.
  const scan = document.getElementById('scan');
  const video = document.getElementById('scan-video');
  if (scan && video && 'BarcodeDetector' in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener('click', async () => {
      const detector = new window.BarcodeDetector({ formats: ['code_128', 'code_39', 'qr_code', 'data_matrix'] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const tick = async () => {
        const codes = await detector.detect(video).catch(() => []);
        const hit = codes.map((c) => c.rawValue.trim()).find((v) => MAC.test(v));
        if (hit) {
          stream.getTracks().forEach((t) => t.stop());
          video.hidden = true;
          input.value = hit;
          form.requestSubmit();
        } else requestAnimationFrame(tick);
      };
      tick();
    });
  }

  const card = document.getElementById('status-card');
  if (!card) return;
  const order = ['assigned', 'seen', 'fetched', 'registered'];
  const render = (s) => {
    for (const step of order) {
      const li = card.querySelector(`[data-step="${step}"]`);
      li.className = `${s[step].state}${s.current === step ? ' current' : ''}`;
      const detail = li.querySelector('.detail');
      if (step === 'seen') detail.textContent = s.seen.ip ?? '';
      if (step === 'fetched') detail.textContent = s.fetched.at ? new Date(s.fetched.at).toLocaleTimeString() : '';
      if (step === 'registered') detail.textContent = s.registered.state === 'unknown' ? 'unknown' : s.registered.detail ?? '';
    }
    const hint = card.querySelector('.hint');
    hint.textContent = s.hint ?? '';
    hint.hidden = !s.hint;
    card.dataset.current = s.current;
  };
  const poll = async () => {
    try {
      const res = await fetch(`/installer/status/${card.dataset.mac}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (res.ok) render(await res.json());
    } catch { /* network blip: try again next round */ }
    if (card.dataset.current !== 'done') setTimeout(poll, Number(form && form.dataset.pollMs) || 3000);
  };
  poll();
})();
