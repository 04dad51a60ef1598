// The day sheet's 「全部堂食」 helper: every elder without a choice yet is marked as eating in
// (a delivery or "no lunch" already chosen stays). Without script the page works tap by tap.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("all-eat-in");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      document.querySelectorAll(".cs-elder").forEach(function (row) {
        if (row.querySelector("input[type=radio]:checked")) { return; }
        var eat = row.querySelector("input[value=eat_in]");
        if (eat) { eat.checked = true; }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
