// After django-otp-webauthn's script has registered a passkey: go to the page where it is
// named, carrying the page's "next" (the second-step set-up continues there afterwards).
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const target = event.detail && event.detail.response && event.detail.response.redirect_url;
  if (!target) {
    return;
  }
  const url = new URL(target, window.location.origin);
  const next = document.querySelector("input[name='next']");
  if (next && next.value) {
    url.searchParams.set("next", next.value);
  }
  window.location.assign(url.toString());
});
