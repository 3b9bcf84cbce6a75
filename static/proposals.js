/* Proposal form: suggest similar proposals while the title is typed (the "check" button does the same without JavaScript). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  if (!form || !window.fetch) { return; }
  var title = form.querySelector("#title");
  var live = document.getElementById("similar-live");
  var timer = null;
  var last = "";
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var value = title.value.trim();
      if (value === last || value.length < 4) { return; }
      last = value;
      fetch(form.dataset.similarUrl + "?title=" + encodeURIComponent(value), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (title.value.trim() === value) { live.innerHTML = html; } })
        .catch(function () {});
    }, 400);
  });
}());
