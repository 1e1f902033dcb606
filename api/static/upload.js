// Upload with live progress: send the files to the API, then poll the batch until done.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var section = document.getElementById("progress");
  var errorBox = document.getElementById("upload-error");
  var LABELS = {
    pending: "Đang xử lý…", ingested: "Đã số hóa", skipped: "Đã có (bỏ qua)",
    failed: "Lỗi", rejected: "Bị từ chối"
  };
  var STATUS = {
    queued: "Đang chờ", running: "Đang số hóa", done: "Hoàn tất", failed: "Lỗi hệ thống"
  };

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function render(batch) {
    section.hidden = false;
    document.getElementById("batch-id").textContent = batch.id;
    var c = batch.counts;
    var bar = document.getElementById("batch-bar");
    bar.max = c.total; bar.value = c.done;
    document.getElementById("batch-summary").textContent =
      STATUS[batch.status] + ": " + c.done + "/" + c.total + " tệp xong" +
      (c.ingested ? " · " + c.ingested + " đã số hóa" : "") +
      (c.failed || c.rejected ? " · " + ((c.failed || 0) + (c.rejected || 0)) + " lỗi" : "");
    section.dataset.status = batch.status;
    var body = document.getElementById("batch-files");
    body.textContent = "";
    batch.files.forEach(function (f) {
      var row = document.createElement("tr");
      cell(row, f.filename);
      cell(row, LABELS[f.status] || f.status, "st-" + f.status);
      var detail = cell(row, f.message || "");
      if (f.record_id) {
        detail.textContent = "";
        var a = document.createElement("a");
        a.href = "/records/" + f.record_id;
        a.textContent = f.record_status === "needs_review" ? "Xem (cần rà soát)" : "Xem hồ sơ";
        detail.appendChild(a);
      }
      body.appendChild(row);
    });
  }

  function poll(url) {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (batch) {
        if (batch.error) { showError(batch.error.message_vi || batch.error.message); return; }
        render(batch);
        if (batch.status === "queued" || batch.status === "running") {
          setTimeout(function () { poll(url); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(url); }, 2000); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return [r.status, body]; }); })
      .then(function (pair) {
        var body = pair[1];
        button.disabled = false;
        if (body.error) {
          showError(body.error.message_vi || body.error.message);
          if (body.error.details && body.error.details.files) {
            render({ id: "—", status: "failed", files: body.error.details.files,
                     counts: { total: body.error.details.files.length, done: body.error.details.files.length,
                               rejected: body.error.details.files.length } });
          }
          return;
        }
        form.reset();
        render(body);
        poll(body.status_url);
      })
      .catch(function () { button.disabled = false; showError("Không gửi được tệp. Vui lòng thử lại."); });
  });
})();
