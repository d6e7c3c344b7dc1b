// Type-ahead for the offers/seeks pickers: hides options whose labels (in any language) and synonyms do not contain the text.
document.querySelectorAll(".tag-picker").forEach((picker) => {
  const filter = picker.querySelector(".tag-filter");
  filter.addEventListener("input", () => {
    const text = filter.value.trim().toLocaleLowerCase();
    picker.querySelectorAll("option").forEach((option) => {
      option.hidden = text !== "" && !(option.dataset.search || option.textContent).toLocaleLowerCase().includes(text);
    });
  });
});
