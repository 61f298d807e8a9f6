// Arrival on site: fill in the phone's position when the browser gives it (never required).
document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (position) {
    form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
  }, function () {}, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
});
