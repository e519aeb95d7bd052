// Reloads the queue every 15 s so new tasks and claims show up, but never while someone is typing
// or has moved focus into the page: a reload would throw their place away.
(function () {
  setInterval(function () {
    var active = document.activeElement;
    if (!active || active === document.body || active.id === 'main') location.reload();
  }, 15000);
})();
