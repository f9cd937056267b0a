// Installer page: MAC checked as typed (a scanner types and presses Enter), barcode scanning
// (camera or photo; BarcodeDetector or ZXing), and a status card refreshed by polling the JSON status endpoint.
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

  // Scanning: the browser's BarcodeDetector where it exists (Chrome on Android), else ZXing
  // (served from this server, loaded only when needed). Two sources: the live camera, or a
  // photo of the label picked with the file input (which also works where the camera API is
  // missing or blocked).
  const scan = document.getElementById('scan');
  const video = document.getElementById('scan-video');
  const photo = document.getElementById('scan-file');
  const scanStatus = document.getElementById('scan-status');
  const FORMATS = ['code_128', 'code_39', 'ean_13', 'qr_code', 'data_matrix'];
  const hasDetector = 'BarcodeDetector' in window;
  if (form) form.dataset.decoder = hasDetector ? 'barcode-detector' : 'zxing';

  /** The first MAC in a scanned text ("MAC: 0011223344AA", "00-11-22-…"), as 00:11:22:33:44:AA. */
  const macIn = (text) => {
    const m = /(?:^|[^0-9a-f])((?:[0-9a-f]{2}[:\-. ]?){5}[0-9a-f]{2}|(?:[0-9a-f]{4}\.){2}[0-9a-f]{4})(?![0-9a-f])/i.exec(String(text).trim());
    if (!m) return null;
    const hex = m[1].replace(/[^0-9a-f]/gi, '');
    return hex.length === 12 ? hex.toLowerCase().match(/../g).join(":") : null;
  };
  const say = (text, isError) => {
    if (!scanStatus) return;
    scanStatus.textContent = text;
    scanStatus.className = isError ? 'error' : 'muted';
    scanStatus.hidden = !text;
  };
  const found = (mac) => {
    input.value = mac;
    input.setCustomValidity('');
    input.removeAttribute('aria-invalid');
    say(`Scanned ${mac}`, false);
    form.requestSubmit();
  };

  let zxingLoading = null;
  const zxing = () => {
    zxingLoading ??= new Promise((resolve, reject) => {
      if (window.ZXingBrowser) return resolve(window.ZXingBrowser);
      const script = document.createElement('script');
      script.src = '/assets/vendor/zxing-browser.min.js';
      script.onload = () => (window.ZXingBrowser ? resolve(window.ZXingBrowser) : reject(new Error('ZXing did not load')));
      script.onerror = () => { zxingLoading = null; reject(new Error('ZXing could not be loaded')); };
      document.head.append(script);
    });
    return zxingLoading;
  };

  /** Decodes a picked image file; resolves the barcode texts found (maybe none). */
  const decodeImage = async (file) => {
    if (hasDetector) {
      const bitmap = await createImageBitmap(file);
      const codes = await new window.BarcodeDetector({ formats: FORMATS }).detect(bitmap);
      return codes.map((c) => c.rawValue);
    }
    // A data: URL, not a blob: one: the page's Content-Security-Policy allows only those images.
    const url = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    const lib = await zxing();
    try {
      const result = await new lib.BrowserMultiFormatReader().decodeFromImageUrl(url);
      return [result.getText()];
    } catch {
      return [];
    }
  };

  if (photo && form && input) {
    photo.addEventListener('change', async () => {
      const file = photo.files && photo.files[0];
      if (!file) return;
      say('Reading the barcode…', false);
      try {
        const mac = (await decodeImage(file)).map(macIn).find(Boolean);
        if (mac) found(mac);
        else say('No MAC address barcode found in that picture. Try again closer, or type the MAC.', true);
      } catch (err) {
        say(`The picture could not be read (${err.message}). Type the MAC instead.`, true);
      } finally {
        photo.value = '';
      }
    });
  }

  if (scan && video && form && input && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    let stop = null;
    scan.addEventListener('click', async () => {
      if (stop) { stop(); return; }
      const done = () => { if (stop) { stop(); } };
      try {
        if (hasDetector) {
          const detector = new window.BarcodeDetector({ formats: FORMATS });
          const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
          let running = true;
          stop = () => { running = false; stream.getTracks().forEach((t) => t.stop()); video.hidden = true; stop = null; };
          video.srcObject = stream;
          video.hidden = false;
          await video.play();
          const tick = async () => {
            if (!running) return;
            const codes = await detector.detect(video).catch(() => []);
            const mac = codes.map((c) => macIn(c.rawValue)).find(Boolean);
            if (mac) { done(); found(mac); } else requestAnimationFrame(tick);
          };
          tick();
        } else {
          const lib = await zxing();
          video.hidden = false;
          const controls = await new lib.BrowserMultiFormatReader().decodeFromConstraints({ video: { facingMode: 'environment' } }, video, (result) => {
            const mac = result && macIn(result.getText());
            if (mac) { done(); found(mac); }
          });
          stop = () => { controls.stop(); video.hidden = true; stop = null; };
        }
      } catch (err) {
        done();
        say(`The camera could not be used (${err.message}). Take a photo of the label or type the MAC.`, true);
      }
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
