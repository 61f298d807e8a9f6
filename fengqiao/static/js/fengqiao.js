// Small progressive enhancements; every page works without this script.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.matches("input[data-select-all]")) {
    document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (item) {
      item.checked = box.checked;
    });
  }
});
