// Receipt zoom on the claim page: without JavaScript a thumbnail is a link to the full image; with it,
// the image opens in a <dialog> (Escape closes it) and a click toggles between fitting and full size.
const dialog = document.getElementById("receipt-dialog");
if (dialog && typeof dialog.showModal === "function") {
  const image = dialog.querySelector("img");
  for (const link of document.querySelectorAll("a.receipt-zoom")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      image.src = link.href;
      image.classList.remove("full");
      dialog.showModal();
    });
  }
  image.addEventListener("click", () => image.classList.toggle("full"));
}
