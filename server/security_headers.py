"""Security headers on every response (pages, JSON, files, errors): one after-request hook.

The policy is strict because the templates and the PWA allow it: no inline script or style anywhere
(page scripts are files under server/coordinator/static/, the charts a separate build), so
`script-src` and `style-src` are `'self'` without nonces. Receipts and QR codes are images from the
server, `data:` or `blob:` URLs (the PWA shows photos before they are uploaded); receipt PDFs are shown
in an `<object>` from the server itself. Nothing may frame a page (the approve and pay buttons must not
be clickjacked), and the only browser feature a page may ask for is the camera (receipt photos).
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'self'",
    "frame-src 'self'",
    "media-src 'self' blob:",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Every feature a page could ask for is off, except the camera for this origin (receipt photos).
PERMISSIONS_POLICY = ", ".join((
    "camera=(self)", "microphone=()", "geolocation=()", "payment=()", "usb=()", "serial=()", "bluetooth=()",
    "hid=()", "midi=()", "magnetometer=()", "gyroscope=()", "accelerometer=()", "display-capture=()",
    "fullscreen=()", "picture-in-picture=()", "screen-wake-lock=()", "xr-spatial-tracking=()",
    "publickey-credentials-get=()", "browsing-topics=()",
))

HSTS = "max-age=31536000; includeSubDomains"


def security_headers(secure: bool) -> dict[str, str]:
    """The headers every response carries; HSTS only when the site is served over HTTPS
    (SESSION_COOKIE_SECURE on: over plain HTTP the browser ignores it, and it would only confuse)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


# A receipt PDF is shown in an <object> on the claim page: that response (and only such a one, marked by
# its view with `embeddable_here`) may be embedded by our own pages.
SAME_ORIGIN_FRAMES = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def embeddable_here(response: Response) -> Response:
    """Let our own pages embed this response (a receipt in the claim page's <object>), nobody else."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def register_security_headers(app: Flask) -> None:
    headers = security_headers(bool(app.config.get("SESSION_COOKIE_SECURE")))

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        same_origin = response.headers.get("X-Frame-Options") == "SAMEORIGIN"
        for key, value in headers.items():
            if key == "Referrer-Policy" and response.headers.get(key) == "no-referrer":
                continue  # a page with a secret in its address (one-time links) sends no referrer at all
            response.headers[key] = value
        if same_origin:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
            response.headers["Content-Security-Policy"] = SAME_ORIGIN_FRAMES
        return response
