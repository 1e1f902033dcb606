// The keying form without a mouse: Enter moves to the next input as Tab does, and on
// the last input submits (the server then shows the next form). An Enter that ends an
// input method's composition (Vietnamese Telex/VNI in some IMEs) is the IME's, not ours.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("keying-form");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll("input:not([type=hidden])"));
  inputs.forEach((input, i) => {
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      if (i + 1 < inputs.length) inputs[i + 1].focus();
      else form.requestSubmit();
    });
  });
  const first = inputs.find((input) => !input.value) || inputs[0];
  if (first && document.activeElement !== first) first.focus();
});
