// Progressive enhancement only: every page works without this file.
document.documentElement.classList.replace("no-js", "js");
document.addEventListener("DOMContentLoaded", () => {
    // Move focus to an error summary so screen-reader and keyboard users hear what went wrong. A
    // form posted to "#register" or "#apply" comes back with that fragment, and the browser's scroll
    // to it, once the page has loaded, takes focus away again: focus once more if it has.
    const summary = document.querySelector(".error-summary");
    if (summary) {
        summary.focus();
        window.addEventListener("load", () => {
            setTimeout(() => { if (document.activeElement === document.body) summary.focus(); }, 0);
        });
    }
    // Open every accordion item before printing so nothing is lost on paper.
    window.addEventListener("beforeprint", () => {
        document.querySelectorAll("details").forEach((d) => { d.dataset.wasOpen = d.open; d.open = true; });
    });
});
