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
    var count = form.querySelector(".library__more-count");
    var newCount = doc.querySelector("[data-library-form] .library__more-count");
    if (count && newCount) count.innerHTML = newCount.innerHTML;
    var problems = form.querySelector(".library__problems");
    if (problems) problems.remove();
    return true;
  }

  function update(push, moveFocus) {
    var url = form.getAttribute("action").split("#")[0].split("?")[0];
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
        // After "Show resources", take the reader to the result count (it is also announced); a
        // ticked box keeps focus where it is, and the live region announces the new count.
        if (moveFocus) {
          var status = document.getElementById("library-status");
          if (status) status.focus();
        }
      })
      .catch(function (error) { if (error.name !== "AbortError") window.location.href = target; })
      .finally(function () { results.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches("input[type=checkbox], select")) update(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update(true, true);
  });
  // Wide screens show the filters beside the results: open the folded panel there (library.css does
  // the same without JavaScript where the browser supports ::details-content).
  var more = form.querySelector("[data-library-more]");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 56rem)") : null;
  if (more && wide && wide.matches) more.open = true;
  window.addEventListener("popstate", function () { window.location.reload(); });
  document.documentElement.classList.add("library-enhanced");
})();
