// Volunteering pages: small progressive enhancements; every page works without JavaScript.
(() => {
  // Scan page: ask for the location (optional, a few seconds at most) and send it with the scan.
  // Without a position the scan is still sent; the organiser sees it flagged.
  const LOCATION_TIMEOUT_MS = 6000;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-geolocate") || form.dataset.located) return;
    if (!("geolocation" in navigator)) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    let sent = false;
    const send = () => {
      if (sent) return;
      sent = true;
      form.dataset.located = "1";
      form.submit();
    };
    const fallback = setTimeout(send, LOCATION_TIMEOUT_MS + 500);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        clearTimeout(fallback);
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        send();
      },
      () => { clearTimeout(fallback); send(); },
      { enableHighAccuracy: true, timeout: LOCATION_TIMEOUT_MS, maximumAge: 60000 },
    );
  });

  // Check-in screen: count the seconds down between htmx refreshes of the code.
  setInterval(() => {
    document.querySelectorAll("[data-countdown]").forEach((el) => {
      const n = parseInt(el.textContent, 10);
      if (n > 1) el.textContent = String(n - 1);
    });
  }, 1000);
})();
