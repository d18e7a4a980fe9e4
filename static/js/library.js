// Enhances the library's filter form: with JavaScript, changing a filter updates the results in
// place (and the address, so the state stays shareable). Without it, the form submits normally.
(function () {
  "use strict";
  var form = document.querySelector("[data-library-form]");
  var results = document.getElementById("library-results");
  if (!form || !results || !window.fetch || !window.DOMParser || !window.history) return;

  var pending = null;

  function queryString() {
    var params = new URLSearchParams(new FormData(form));
    var empty = [];
    params.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { params.delete(key); });
    if (params.get("sort") === "newest" && !params.get("q")) params.delete("sort");
    return params.toString();
  }

  function apply(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var newResults = doc.getElementById("library-results");
    if (!newResults) return false;
    var status = document.getElementById("library-status");
    var newStatus = newResults.querySelector("#library-status");
    // Keep the live region element in place and change only its text, so screen readers announce it.
    Array.prototype.slice.call(results.children).forEach(function (child) {
      if (child !== status) results.removeChild(child);
    });
    Array.prototype.slice.call(newResults.children).forEach(function (child) {
      if (child.id !== "library-status") results.appendChild(document.importNode(child, true));
    });
    if (status && newStatus) status.textContent = newStatus.textContent.trim();
    // Update the counts beside each option without replacing the inputs (focus stays where it is).
    doc.querySelectorAll("[data-library-form] label[for]").forEach(function (label) {
      var current = form.querySelector('label[for="' + label.getAttribute("for") + '"]');
      if (current) current.innerHTML = label.innerHTML;
    });
    var problems = form.querySelector(".library__problems");
    if (problems) problems.remove();
    return true;
  }

  function update(push) {
    var url = form.getAttribute("action").split("?")[0];
    var qs = queryString();
    var target = qs ? url + "?" + qs : url;
    if (pending) pending.abort();
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(target, { headers: { "X-Requested-With": "fetch" }, signal: pending.signal })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (!apply(html)) { window.location.href = target; return; }
        if (push) window.history.pushState({ library: true }, "", target);
      })
      .catch(function (error) { if (error.name !== "AbortError") window.location.href = target; })
      .finally(function () { results.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox], select")) update(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update(true);
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
  document.documentElement.classList.add("library-enhanced");
})();
