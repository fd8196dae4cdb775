"""cookies' pages: public (the banner's endpoints, cookie settings, the notices) and
backoffice (consent rates, the consent log, editing the notices)."""
