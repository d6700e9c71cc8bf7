// The running total of a new payout: the server renders it for the initial choice; this keeps it in step
// with the checkboxes (integer cents, formatted like the page's language writes euros). The choice may
// span several pages: its total comes from the server, less what is unchecked on this page.
const form = document.getElementById("payout-form");
const output = document.getElementById("payout-total");
if (form && output) {
  const lang = document.documentElement.lang || "de";
  const format = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
  const choice = Number.parseInt(output.dataset.choiceCents || "0", 10);
  const update = () => {
    let cents = choice;
    for (const box of form.querySelectorAll("input[type=checkbox][data-cents]:not(:checked)")) {
      cents -= Number.parseInt(box.dataset.cents, 10);
    }
    output.dataset.cents = String(cents);
    output.textContent = format.format(cents / 100);
  };
  form.addEventListener("change", update);
}
