// Phones: a wide table becomes one card per row. Each cell gets its column's header as
// data-label (shown before the value by app.css under 640 px); the table is marked
// data-stacked once labelled, so without this script it still scrolls sideways inside .scroll.
// Rows that live views redraw (queues, dashboard) are labelled again when they change.
(function () {
  'use strict';

  function headersOf(table) {
    var row = table.tHead && table.tHead.rows[0];
    if (!row) return null;
    var labels = [];
    for (var i = 0; i < row.cells.length; i++) {
      var cell = row.cells[i];
      var span = cell.colSpan || 1;
      for (var k = 0; k < span; k++) labels.push(cell.textContent.trim());
    }
    return labels;
  }

  function label(table) {
    var labels = headersOf(table);
    if (!labels) return;
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        for (var c = 0; c < rows[r].cells.length; c++) {
          var cell = rows[r].cells[c];
          // A cell spanning the whole row ("No devices yet.") needs no label.
          if (cell.colSpan < labels.length && labels[column]) cell.setAttribute('data-label', labels[column]);
          // An empty value is left out of the phone card rather than shown as a bare label.
          if (cell.textContent.trim() === '' && !cell.querySelector('input, button, select, img, audio')) cell.setAttribute('data-empty', '');
          else cell.removeAttribute('data-empty');
          column += cell.colSpan || 1;
        }
      }
    }
    table.setAttribute('data-stacked', '');
  }

  function start() {
    var tables = document.querySelectorAll('.scroll > table');
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      label(table);
      if (typeof MutationObserver === 'function') {
        new MutationObserver(label.bind(null, table)).observe(table, { childList: true, subtree: true });
      }
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
