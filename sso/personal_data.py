from datamap import exempt

exempt(
    "sso.SsoConnection",
    "A client organisation's identity-provider settings; break_glass_admin and updated_by name "
    "its client admins (or staff) as accountability for who may log in how.",
)
exempt(
    "sso.DomainClaim",
    "A client company's e-mail domain; claimed_by and verified_by name who claimed and who "
    "verified it, kept as accountability for where logins are routed.",
)
