// Reloads the queue every 15 s so new tasks and claims show up, but never while someone is typing
// or has moved focus into the page: a reload would throw their place away.
// The reload asks with refresh=auto, which the server does not count as activity (a queue left open
// still reaches the idle timeout); the flag is taken off the address bar so a reload by hand counts.
(function () {
  var FLAG = 'refresh';
  var shown = new URL(location.href);
  if (shown.searchParams.get(FLAG) === 'auto') {
    shown.searchParams.delete(FLAG);
    history.replaceState(history.state, '', shown.toString());
  }
  setInterval(function () {
    var active = document.activeElement;
    if (!active || active === document.body || active.id === 'main') {
      var next = new URL(location.href);
      next.searchParams.set(FLAG, 'auto');
      location.replace(next.toString());
    }
  }, 15000);
})();
