// Reads a chosen CSV file into the textarea, so the form posts plain text (no multipart parser needed).
const file = document.getElementById('csv-file');
const area = document.getElementById('csv');
if (file && area) {
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (chosen) area.value = await chosen.text();
  });
}
