"""cookies' routes: public (consent, theme, notice versions) and backoffice
(/backoffice/cookies/). config/urls.py mounts them, with /privacy/ and /cookies/ themselves."""
