// Progressive enhancement only: every page works without this file.
document.documentElement.classList.replace("no-js", "js");
document.addEventListener("DOMContentLoaded", () => {
    // Move focus to an error summary so screen-reader and keyboard users hear what went wrong.
    const summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    // Open every accordion item before printing so nothing is lost on paper.
    window.addEventListener("beforeprint", () => {
        document.querySelectorAll("details").forEach((d) => { d.dataset.wasOpen = d.open; d.open = true; });
    });
});
