// Live countdowns of the agent console: every element with data-due (ISO 8601 with offset)
// shows the time left, ticking each second, and turns red once the due time has passed.
// Elements swapped in by htmx (the queue refreshes every 30 s) are picked up on the next tick.
(function () {
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(total / 86400);
    var hours = Math.floor((total % 86400) / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var clock = hours + ":" + pad(minutes) + ":" + pad(seconds);
    return days ? days + "d " + clock : clock;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var left = due - now;
      var breached = left < 0;
      el.textContent = breached ? (el.dataset.overdue || "overdue") + " " + format(left) : format(left);
      el.dataset.state = breached ? "breached" : (left < 30 * 60 * 1000 ? "soon" : "running");
      el.classList.toggle("text-danger", breached);
      el.classList.toggle("fw-semibold", breached);
      el.classList.toggle("text-warning-emphasis", !breached && left < 30 * 60 * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
  // The lookup box of the new-ticket form: Enter searches, it does not submit the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.id === "lookup") event.preventDefault();
  });
})();
