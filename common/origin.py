"""Where a request came from, in words a person can check: its IP address and its device.

The session list, the security notices e-mailed to a person and the e-mail-change notice all
describe a login or a change this way, so that they agree with each other.
"""

from ua_parser import parse_os, parse_user_agent

from common.client_ip import client_ip


def device_label(user_agent: str) -> str:
    """A short "Browser on OS" description of a User-Agent header, e.g. "Firefox on Windows"."""
    user_agent = (user_agent or "")[:512]
    browser = parse_user_agent(user_agent)
    system = parse_os(user_agent)
    browser_name = browser.family if browser and browser.family != "Other" else "Unknown browser"
    system_name = system.family if system and system.family != "Other" else ""
    label = f"{browser_name} on {system_name}" if system_name else browser_name
    return label[:120]


def origin_in_words(ip: str, device: str) -> str:
    """ "Firefox on Windows, at IP address 203.0.113.5"; "" when neither is known."""
    parts = [device] if device else []
    if ip:
        parts.append(f"at IP address {ip}")
    return ", ".join(parts)


def request_origin(request) -> dict[str, str]:
    """``{"ip", "device", "where"}`` of a request: plain strings, safe to pass to a task.

    django-axes annotates a login request with the address it counted; the same address is
    named here, so that a notice and the lockout never disagree.
    """
    if request is None:
        return {"ip": "", "device": "", "where": ""}
    ip = getattr(request, "axes_ip_address", None) or client_ip(request) or ""
    device = device_label(request.META.get("HTTP_USER_AGENT", ""))
    return {"ip": ip, "device": device, "where": origin_in_words(ip, device)}
